"""immutable.py: changes Kubernetes refuses to apply in place, refused before they are written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE

from aigonix_render.check.immutable import refusal, refusals
from aigonix_render.foundation.output import OutputFile

STATEFUL_SET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: prod-mongo
spec:
  replicas: {replicas}
  serviceName: prod-mongo
  selector:
    matchLabels: {{infrastructure: Mongo}}
  template: {{metadata: {{labels: {{infrastructure: Mongo}}}}}}
  volumeClaimTemplates:
    - metadata: {{name: prod-mongo-storage}}
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: {storage_class}
        resources: {{requests: {{storage: {size}}}}}
"""


def stateful_set(size: str = "8Gi", storage_class: str = "managed-premium", replicas: int = 1) -> str:
    return STATEFUL_SET.format(size=size, storage_class=storage_class, replicas=replicas)


def test_a_new_volume_size_is_refused_with_the_reason() -> None:
    assert refusal(stateful_set(), stateful_set(size="16Gi")) == (
        "the StatefulSet prod-mongo cannot change in place (size of prod-mongo-storage 8Gi → 16Gi):"
        " Kubernetes refuses to update these fields, so the sync would fail. Keep the previous value,"
        " or delete the StatefulSet yourself first (a volume claim's data stays in its PersistentVolumeClaim)"
    )


def test_a_new_storage_class_is_refused() -> None:
    why = refusal(stateful_set(), stateful_set(storage_class="premium-rwo"))
    assert why is not None and "storage class of prod-mongo-storage managed-premium → premium-rwo" in why


@pytest.mark.parametrize(
    "previous",
    [
        None,
        stateful_set(),
        stateful_set(replicas=3),
        "apiVersion: v1\nkind: Service\nmetadata: {name: prod-mongo}\n",
    ],
    ids=["first render", "unchanged", "only updatable fields", "another kind before"],
)
def test_what_kubernetes_can_apply_passes(previous: str | None) -> None:
    assert refusal(previous, stateful_set()) is None


def test_a_deployment_selector_is_refused_but_not_its_template() -> None:
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: prod-web}}\nspec: {{selector: {{matchLabels: {{tenant: {0}}}}}, replicas: {1}}}\n"
    assert refusal(deployment.format("Acme", 1), deployment.format("Acme", 3)) is None
    why = refusal(deployment.format("Acme", 1), deployment.format("Acme_Corp", 1))
    assert (
        why is not None
        and "selector {matchLabels: {tenant: Acme}} → {matchLabels: {tenant: Acme_Corp}}" in why
    )


def test_refusals_are_reported_at_the_application_manifest() -> None:
    from aigonix_render.commands.pipeline import valid_model

    model = valid_model(Path(BASE), strict=False).model
    previous = {"shop/prod/statefulset-prod-mongo.yaml": stateful_set().encode()}
    files = [
        OutputFile("shop/prod/statefulset-prod-mongo.yaml", stateful_set(size="16Gi")),
        OutputFile("shop/dev/statefulset-dev-mongo.yaml", stateful_set(size="16Gi")),
        OutputFile("shop/prod/service-prod-mongo.yaml", "kind: Service\n"),
    ]
    [problem] = refusals(model, files, previous.get)
    assert (problem.file, problem.line) == ("applications/shop/aigonix.yaml", 1)
    assert problem.message.startswith(
        "shop/prod/statefulset-prod-mongo.yaml: the StatefulSet prod-mongo cannot"
    )
