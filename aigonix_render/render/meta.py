"""Every object's labels, selector and annotations, written in this one place.

They are the Aigonix platform's (so GitOps adopts the objects the platform made) plus the
``app.kubernetes.io`` labels on object metadata, unless the customer asks for exact
adoption (``adoption.exact``). Pod templates get the platform's labels
and annotations only (``pod_labels``, ``pod_annotations``). Three scopes, each adding to the
one above: the application (namespace, pull Secret, RBAC, delivery), its environment
(tenants, NetworkPolicy, event store) and one microservice in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from aigonix_render.foundation import platform, record
from aigonix_render.model import Application, ApplicationEnvironment, Customer, Environment, Microservice

MANAGED_BY = "aigonix-render"
RETAINED = {
    "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
    "kustomize.toolkit.fluxcd.io/prune": "disabled",
}
"""What keeps Argo CD and Flux from deleting an object that holds data (the namespace, the
event store): neither prunes it when it leaves the output, nor deletes it with its
Application or Kustomization."""


@record
class Meta:
    """The metadata of one object, plus its selector where it has one."""

    kind: str
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    selector: Mapping[str, str] = field(default_factory=dict)
    type: str = ""
    labelled_pods: bool = False
    exact: bool = False
    """Exact adoption: no ``app.kubernetes.io`` labels, and a sealed Secret's fingerprint kept
    in its folder's ``.sealed-from`` instead of its annotation."""

    @property
    def file_name(self) -> str:
        return f"{self.kind.lower()}-{self.name}.yaml"

    @property
    def pod_labels(self) -> Mapping[str, str]:
        """A pod template's labels: the platform's only, which are the selector. A label
        added to a pod template changes it, and Kubernetes restarts every adopted pod
        (platform-api v4.13.0 pkg/dolittle/k8s/deployment.go: NewDeployment, NewMongo);
        all of the object's when the customer asks (``podTemplates.recommendedLabels``)."""
        return self.labels if self.labelled_pods else self.selector

    @property
    def pod_annotations(self) -> Mapping[str, str]:
        """The platform gave pod templates its ``dolittle.io`` annotations, the object's."""
        return {k: v for k, v in self.annotations.items() if k.startswith("dolittle.io/")}


def application_meta(
    customer: Customer,
    application: Application,
    kind: str,
    name: str,
    namespace: str | None,
    *,
    annotations: Mapping[str, str] | None = None,
    type: str = "",
) -> Meta:
    """An object of the whole application: no selector."""
    labels = _labels(_application_selector(customer, application.name), application, customer)
    every = {**_application_annotations(customer, application), **(annotations or {})}
    return Meta(kind, name, namespace, labels, every, type=type, exact=customer.exact_adoption)


def delivery_meta(
    app_env: ApplicationEnvironment,
    kind: str,
    name: str,
    namespace: str,
    annotations: Mapping[str, str] | None = None,
) -> Meta:
    """A Flux Kustomization or Argo CD Application of an application environment."""
    return application_meta(
        app_env.customer, app_env.application, kind, name, namespace, annotations=annotations
    )


def environment_meta(app_env: ApplicationEnvironment, kind: str, name: str, **selector: str) -> Meta:
    """An object of one application environment, selecting its pods (and ``selector``)."""
    application = app_env.application
    chosen = {**_environment_selector(app_env), **selector}
    annotations = _application_annotations(app_env.customer, application)
    labels = _labels(chosen, application, app_env.customer)
    pods, exact = app_env.customer.labelled_pods, app_env.customer.exact_adoption
    return Meta(
        kind, name, application.namespace, labels, annotations, chosen, labelled_pods=pods, exact=exact
    )


def event_store_meta(app_env: ApplicationEnvironment, kind: str, name: str) -> Meta:
    """The event store's objects, selecting only its own pods."""
    return environment_meta(app_env, kind, name, infrastructure="Mongo")


def microservice_meta(
    app_env: ApplicationEnvironment,
    ms: Microservice,
    kind: str,
    name: str,
    *,
    annotations: Mapping[str, str] | None = None,
    type: str = "",
) -> Meta:
    """An object of one microservice in one environment, selecting its pods."""
    application = app_env.application
    selector = {**_environment_selector(app_env), "microservice": ms.name}
    customer = app_env.customer
    labels = _labels(selector, application, customer)
    if not customer.exact_adoption:
        labels["app.kubernetes.io/name"] = ms.name
    every = {
        **_application_annotations(app_env.customer, application),
        "dolittle.io/microservice-id": ms.id,
        "dolittle.io/microservice-kind": "simple",
        **(annotations or {}),
    }
    pods = customer.labelled_pods
    return Meta(
        kind,
        name,
        application.namespace,
        labels,
        every,
        selector,
        type=type,
        labelled_pods=pods,
        exact=customer.exact_adoption,
    )


def ingress_annotations(environment: Environment, tenant_id: str) -> dict[str, str]:
    """An ingress-nginx Ingress names its certificate issuer and sets the ``Tenant-ID``
    header, overwriting a client's, as the platform's did (pkg/dolittle/k8s/ingress.go).
    ``tenant_id`` passed validation as a GUID: no text a user chose reaches nginx."""
    snippet = f'proxy_set_header {platform.TENANT_HEADER} "{tenant_id}";\n'
    return {
        "cert-manager.io/cluster-issuer": environment.cluster_issuer,
        "nginx.ingress.kubernetes.io/configuration-snippet": snippet,
    }


def peer_selectors(
    customer: Customer, application: str, environment: str, microservice: str
) -> dict[str, dict[str, str]]:
    """The namespace and pod selectors that match another microservice's pods."""
    return {
        "namespace": _application_selector(customer, application),
        "pods": {"environment": environment, "microservice": microservice},
    }


def _application_selector(customer: Customer, application: str) -> dict[str, str]:
    return {"tenant": customer.label, "application": application}


def _environment_selector(app_env: ApplicationEnvironment) -> dict[str, str]:
    selector = _application_selector(app_env.customer, app_env.application.name)
    return {**selector, "environment": app_env.environment.name}


def _labels(selector: Mapping[str, str], application: Application, customer: Customer) -> dict[str, str]:
    """The platform's labels; with exact adoption nothing else."""
    if customer.exact_adoption:
        return dict(selector)
    return {
        **selector,
        "app.kubernetes.io/part-of": application.name,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def _application_annotations(customer: Customer, application: Application) -> dict[str, str]:
    return {"dolittle.io/tenant-id": customer.id, "dolittle.io/application-id": application.id}
