"""An application's sealed files: ``storage-account.yaml`` and each environment's
``kafka-files.yaml`` are encrypted with sops and hold exactly the keys of the object each
becomes (``storage-account-secret``: platform-api v4.13.0
pkg/platform/application/k8s/resources.go, NewStorage; ``<env>-kafka-files``:
pkg/platform/microservice/m3connector/k8s/repo.go, UpsertKafkaFiles).
"""

from __future__ import annotations

from collections.abc import Iterator

from aigonix_render.foundation import Problem, platform
from aigonix_render.load import ApplicationFolder
from aigonix_render.validate import sops_files


def sealed_files(app: ApplicationFolder) -> Iterator[Problem]:
    """The sealed files' sops metadata and keys; a kafka files folder names one of the
    application's environments (its case too: the file would be left out unseen)."""
    if app.storage_account is not None:
        yield from sops_files.check(app.storage_account, platform.STORAGE_ACCOUNT_KEYS, None)
    environments = sorted(app.document.data["environments"])
    for env, document in sorted(app.kafka_files.items()):
        if env in environments:
            yield from sops_files.check(document, platform.KAFKA_KEYS, None)
        else:
            known = ", ".join(environments)
            message = (
                f"{env!r} is no environment of the application ({known}): nothing would render this file"
            )
            yield Problem(document.path, 1, 1, message)
