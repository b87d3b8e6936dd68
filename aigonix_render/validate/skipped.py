"""What a rule across files must not call missing: a microservice whose own manifest did not
pass the schema is still there, and its problems are reported in its own file. A reference
to it (an event horizon's producer, a ``developerRole`` entry) is left unchecked, so one
typo gives one error, not one more in every file that names the microservice."""

from __future__ import annotations

from aigonix_render.load import ApplicationFolder


def unvalidated_microservices(app: ApplicationFolder, valid: set[str]) -> set[str]:
    """The names (lower case) of ``app``'s microservices whose manifests did not pass."""
    found = set()
    for ms in app.microservices:
        data = ms.document.data
        if ms.document.path not in valid and isinstance(data, dict) and isinstance(data.get("name"), str):
            found.add(data["name"].lower())
    return found
