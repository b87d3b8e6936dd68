"""The names a dump gives the tree's folders, checked by the tree's own rules before anything
is written.

``import`` makes folders of the labels ``application`` (``applications/<name>``),
``microservice`` (``microservices/<name>``, lower-cased) and ``environment``
(``environments/<Env>``). A label is the dump's text: ``../x`` or ``/etc`` in one would
write outside TREE. So each is held to the rule ``validate`` holds the tree's name to
(an application name is a DNS-1123 label, an environment name the schema's ``envName``,
a microservice name Studio's rule and a label value), and a name refused is an error line
naming the object and its label: the import then writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.dump import KubeObject
from aigonix_render.commands.importer.recognise import SIMPLE, ApplicationObjects, Recognised
from aigonix_render.foundation import load_schema, names
from aigonix_render.validate import MICROSERVICE_NAME_RULE, STUDIO_MICROSERVICE_NAME


def name_errors(recognised: Recognised) -> list[report.ReportLine]:
    """An error line for every folder name of the dump the tree refuses."""
    found: set[report.ReportLine] = set()
    for application in recognised.applications:
        found |= _application_errors(application)
    return list(report.ordered(found))


def _application_errors(application: ApplicationObjects) -> set[report.ReportLine]:
    found = set()
    why = application_name(application.name)
    if why is not None and application.carrier is not None:
        found.add(_refused(application.carrier, "application", application.name, "an application", why))
    for env, parts in application.environments.items():
        found |= set(_checked(list(parts.values()), "environment", env))
    for (env, _), ms in application.microservices.items():
        objects = [*ms.parts.values(), *ms.routes]
        found |= set(_checked(objects, "environment", env))
        if ms.kind == SIMPLE:
            found |= set(_checked(objects, "microservice", ms.name))
    return found


def _checked(objects: list[KubeObject], label: str, value: str) -> Iterator[report.ReportLine]:
    rule = environment_name if label == "environment" else microservice_name
    why = rule(value)
    if why is not None:
        what = "an environment" if label == "environment" else "a microservice"
        for obj in objects:
            if obj.labels.get(label) == value:
                yield _refused(obj, label, value, what, why)


def _refused(obj: KubeObject, label: str, value: str, what: str, why: str) -> report.ReportLine:
    subject = f"{obj.kind}/{obj.namespace}/{obj.name}" if obj.namespace else obj.ref
    message = f"{value!r} cannot name {what} (a folder of the tree): {why}"
    return report.error(subject, message, f"metadata.labels.{label}")


def application_name(name: str) -> str | None:
    """validate's rule for an application's name (``name_rules``): a DNS-1123 label."""
    return names.dns1123_label(name)


def environment_name(name: str) -> str | None:
    """The schema's ``envName``, and its lower case a DNS-1123 label (validate's rule)."""
    pattern, longest, described = _env_name_rule()
    if len(name) > longest:
        return f"longer than {longest} characters ({len(name)})"
    if pattern.fullmatch(name) is None:
        return described
    return names.dns1123_label(name.lower())


@cache
def _env_name_rule() -> tuple[re.Pattern[str], int, str]:
    rule = load_schema("Application")["$defs"]["envName"]
    return re.compile(rule["pattern"]), int(rule["maxLength"]), str(rule["description"])


def microservice_name(name: str) -> str | None:
    """validate's rule for a microservice's name (``microservice_name``)."""
    if STUDIO_MICROSERVICE_NAME.fullmatch(name) is None:
        return MICROSERVICE_NAME_RULE
    return names.label_value(name)
