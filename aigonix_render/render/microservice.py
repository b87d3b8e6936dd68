"""One microservice in one environment: its ConfigMaps and Secret, Deployment and Service,
its Ingresses and their NetworkPolicy, and the event-horizon NetworkPolicy of a producer."""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Mapping

from aigonix_render import names, platform
from aigonix_render.model import ApplicationEnvironment, Microservice, Subscription
from aigonix_render.render import runtime
from aigonix_render.render.folder import Folder
from aigonix_render.render.meta import ingress_annotations, microservice_meta, peer_selectors

# The Runtime reads appsettings.json from its working directory, the parent of DOLITTLE_FOLDER.
APPSETTINGS_PATH = posixpath.join(posixpath.dirname(platform.DOLITTLE_FOLDER), platform.APPSETTINGS_FILE)


def microservice_objects(
    folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> None:
    _config_maps(folder, app_env, ms)
    if ms.runtime:
        dolittle = runtime.dolittle_files(app_env, ms, subscriptions)
        _config_map(folder, app_env, ms, names.dolittle_config(app_env.environment.name, ms.name), dolittle)
        _event_horizons_policy(folder, app_env, ms, runtime.produced_by(app_env, ms, subscriptions))
    if _has_secret(ms):
        _secret(folder, app_env, ms)
    _deployment(folder, app_env, ms)
    service = microservice_meta(app_env, ms, "Service", names.workload(app_env.environment.name, ms.name))
    folder.add(service, "service.yaml.j2", ms=ms)
    if ms.ingress_path is not None:
        _public(folder, app_env, ms)


def _config_maps(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    """Env variables, and config files: UTF-8 ones in ``data``, others (base64) in ``binaryData``."""
    env = app_env.environment.name
    _config_map(folder, app_env, ms, names.env_variables(env, ms.name), dict(ms.env))
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for config in ms.files:
        try:
            text[config.name] = config.content.decode("utf-8")
        except UnicodeDecodeError:
            binary[config.name] = base64.b64encode(config.content).decode("ascii")
    _config_map(folder, app_env, ms, names.config_files(env, ms.name), text, binary)


def _config_map(
    folder: Folder,
    app_env: ApplicationEnvironment,
    ms: Microservice,
    name: str,
    data: Mapping[str, str],
    binary_data: Mapping[str, str] | None = None,
) -> None:
    meta = microservice_meta(app_env, ms, "ConfigMap", name)
    folder.add(meta, "configmap.yaml.j2", data=data, binary_data=binary_data or {})


def _has_secret(ms: Microservice) -> bool:
    return bool(ms.secrets and ms.secrets_file)


def _secret(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    assert ms.secrets_file is not None
    name = names.secret_env_variables(app_env.environment.name, ms.name)
    meta = microservice_meta(app_env, ms, "Secret", name, type="Opaque")
    folder.secret(meta, ms.secrets_file, ms.secrets, app_env.environment.recipients)


def _deployment(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    env = app_env.environment.name
    meta = microservice_meta(app_env, ms, "Deployment", names.workload(env, ms.name))
    folder.add(
        meta,
        "deployment.yaml.j2",
        ms=ms,
        pull_secret=names.PULL_SECRET if app_env.customer.registry_credentials else None,
        env_variables=names.env_variables(env, ms.name),
        secret_env_variables=names.secret_env_variables(env, ms.name) if _has_secret(ms) else None,
        config_files=names.config_files(env, ms.name),
        dolittle_config=names.dolittle_config(env, ms.name),
        tenants_config=names.tenants_config(env),
        appsettings_path=APPSETTINGS_PATH,
    )


def _event_horizons_policy(
    folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, produced: list[Subscription]
) -> None:
    """The producer admits its consumers' pods to the Runtime's public port."""
    consumers = sorted(
        {(s.consumer.application.id, s.consumer.application.name, s.consumer.name) for s in produced}
    )
    if not consumers:
        return
    env = app_env.environment.name
    peers = [peer_selectors(app_env.customer, app, env, consumer) for _, app, consumer in consumers]
    meta = microservice_meta(app_env, ms, "NetworkPolicy", names.event_horizons_policy(env, ms.name))
    folder.add(meta, "networkpolicy-event-horizons.yaml.j2", consumers=peers)


def _public(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    """The ingress controller may reach the pods; one Ingress per customer tenant with hosts."""
    environment = app_env.environment
    policy = names.ingress_policy(environment.name, ms.name)
    folder.add(microservice_meta(app_env, ms, "NetworkPolicy", policy), "networkpolicy-ingress.yaml.j2")
    service = names.workload(environment.name, ms.name)
    for tenant in (t for t in app_env.tenants if t.hosts):
        name = names.ingress(environment.name, ms.name, tenant.id)
        annotations = ingress_annotations(environment, tenant)
        meta = microservice_meta(app_env, ms, "Ingress", name, annotations=annotations)
        ingress_class = environment.ingress_class
        folder.add(
            meta, "ingress.yaml.j2", ms=ms, tenant=tenant, service=service, ingress_class=ingress_class
        )
