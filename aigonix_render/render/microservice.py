"""One microservice in one environment: its ConfigMaps and Secret, Deployment and Service,
its routes (Ingresses or HTTPRoutes) and their NetworkPolicy, and the event-horizon
NetworkPolicy of a producer. Every microservice gets the objects the platform gave every
microservice, with or without the Runtime (platform-api v4.13.0
pkg/platform/microservice/simple/k8s/resources.go: NewResources)."""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Mapping
from typing import NamedTuple

from aigonix_render.foundation import names, platform
from aigonix_render.model import ApplicationEnvironment, Microservice, Route, Subscription, public_routes
from aigonix_render.render import runtime
from aigonix_render.render.folder import Folder
from aigonix_render.render.meta import ingress_annotations, microservice_meta, peer_selectors

# The Runtime reads appsettings.json from its working directory, the parent of DOLITTLE_FOLDER.
APPSETTINGS_PATH = posixpath.join(posixpath.dirname(platform.DOLITTLE_FOLDER), platform.APPSETTINGS_FILE)
TENANTS_VOLUME = "tenants-config"
DOLITTLE_VOLUME = "dolittle-config"
CONFIG_FILES_VOLUME = "config-files"
CONFIG_FILES_FOLDER = "/app/data"
# The permanent redirect of plain HTTP to HTTPS: the HTTPRoute CRD's statusCode allows 301 or 302.
HTTPS_REDIRECT_STATUS = 301


class Mount(NamedTuple):
    volume: str
    path: str
    sub_path: str | None = None


def _dolittle_mounts(files: tuple[str, ...]) -> list[Mount]:
    """``tenants.json`` from ``<env>-tenants``, then the given files of ``<env>-<ms>-dolittle``."""
    tenants = Mount(
        TENANTS_VOLUME, posixpath.join(platform.DOLITTLE_FOLDER, platform.TENANTS_FILE), platform.TENANTS_FILE
    )
    own = [Mount(DOLITTLE_VOLUME, posixpath.join(platform.DOLITTLE_FOLDER, f), f) for f in files]
    return [tenants, *own]


def _head_mounts(ms: Microservice, kafka_files: str | None) -> list[Mount]:
    """With or without the Runtime; the M3 connector's files after ``/app/data``."""
    mounts = [
        *_dolittle_mounts(platform.HEAD_DOLITTLE_FILES),
        Mount(CONFIG_FILES_VOLUME, CONFIG_FILES_FOLDER),
    ]
    if kafka_files:
        mounts += [
            Mount(kafka_files, posixpath.join(platform.KAFKA_FOLDER, f), f) for f in platform.KAFKA_FILES
        ]
    return mounts


RUNTIME_MOUNTS = [
    *_dolittle_mounts(platform.RUNTIME_DOLITTLE_FILES),
    Mount(DOLITTLE_VOLUME, APPSETTINGS_PATH, platform.APPSETTINGS_FILE),
]


def microservice_objects(
    folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, subscriptions: tuple[Subscription, ...]
) -> None:
    _config_maps(folder, app_env, ms)
    dolittle = runtime.dolittle_files(app_env, ms, subscriptions)
    _config_map(folder, app_env, ms, names.dolittle_config(app_env.environment.name, ms.name), dolittle)
    _event_horizons_policy(folder, app_env, ms, runtime.produced_by(app_env, ms, subscriptions))
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


def _secret(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    """Always there, as the head's ``secretRef`` is (pkg/dolittle/k8s/secret.go). Without
    declared secrets it is empty: nothing to encrypt, so it is written as it is."""
    name = names.secret_env_variables(app_env.environment.name, ms.name)
    meta = microservice_meta(app_env, ms, "Secret", name, type="Opaque")
    if ms.secrets and ms.secrets_file:
        folder.secret(meta, ms.secrets_file, ms.secrets, app_env.environment.recipients)
    else:
        folder.add(meta, "secret-empty.yaml.j2")


def _deployment(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    env = app_env.environment.name
    meta = microservice_meta(app_env, ms, "Deployment", names.workload(env, ms.name))
    kafka_files = names.kafka_files(env) if ms.m3_connector else None
    volumes = [
        (TENANTS_VOLUME, names.tenants_config(env)),
        (DOLITTLE_VOLUME, names.dolittle_config(env, ms.name)),
        (CONFIG_FILES_VOLUME, names.config_files(env, ms.name)),
    ]
    folder.add(
        meta,
        "deployment.yaml.j2",
        ms=ms,
        pull_secret=names.PULL_SECRET if app_env.customer.registry_credentials else None,
        env_variables=names.env_variables(env, ms.name),
        secret_env_variables=names.secret_env_variables(env, ms.name),
        head_mounts=_head_mounts(ms, kafka_files),
        runtime_mounts=RUNTIME_MOUNTS,
        volumes=volumes + ([(kafka_files, kafka_files)] if kafka_files else []),
    )


def _event_horizons_policy(
    folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, produced: list[Subscription]
) -> None:
    """The producer admits its consumers in other applications, and in other environments of
    its own, to the Runtime's public port, in one rule as the platform appended them
    (simple/k8s/repo.go: SubscribeToAnotherApplication: a peer per consumer with its
    environment's label). The ``<env>`` policy admits only this environment's own pods; the
    platform made no policy for its own application's other environments, so their
    subscriptions could not connect: the render admits them too, except with exact adoption,
    which renders what the platform made (validation warns there)."""
    firsts: dict[tuple[str, str, str], int | None] = {}
    for s in produced:
        if s.consumer.application == app_env.application and (
            s.environment == app_env.environment.name or app_env.customer.exact_adoption
        ):
            continue
        key = (s.consumer.application.name, s.environment, s.consumer.name)
        ranks = [r for r in (s.rank(tenant) for tenant, _ in s.tenants) if r is not None]
        known = [r for r in (firsts.get(key), *ranks) if r is not None]
        firsts[key] = min(known) if known else None
    if not firsts:
        return
    # the platform's order where the tree states it (eventHorizons[].order), then sorted
    consumers = sorted(firsts, key=lambda k: (firsts[k] is None, firsts[k] or 0, k))
    env = app_env.environment.name
    peers = [peer_selectors(app_env.customer, app, where, name) for app, where, name in consumers]
    meta = microservice_meta(app_env, ms, "NetworkPolicy", names.event_horizons_policy(env, ms.name))
    folder.add(meta, "networkpolicy-event-horizons.yaml.j2", consumers=peers)


def _public(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice) -> None:
    """The proxies may reach the pods; each route (``model.public_routes``: one per customer
    tenant with hosts, holding all of them, then the microservice's own) sets the
    ``Tenant-ID`` header the head reads."""
    environment = app_env.environment
    gateway = environment.gateway if environment.http_routes else None
    policy = microservice_meta(app_env, ms, "NetworkPolicy", names.ingress_policy(environment.name, ms.name))
    folder.add(policy, "networkpolicy-ingress.yaml.j2", nginx=environment.ingresses, gateway=gateway)
    for route in public_routes(app_env, ms):
        if environment.ingresses:
            _ingress(folder, app_env, ms, route)
        if gateway is not None:
            _http_route(folder, app_env, ms, route)
        if gateway is not None and gateway.http_listener:
            _https_redirect(folder, app_env, ms, route)


def _ingress(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, route: Route) -> None:
    """ingress-nginx sets the header with a configuration snippet, as the platform did."""
    environment = app_env.environment
    annotations = ingress_annotations(environment, route.tenant)
    meta = microservice_meta(app_env, ms, "Ingress", route.name, annotations=annotations)
    service = names.workload(environment.name, ms.name)
    folder.add(meta, "ingress.yaml.j2", ms=ms, route=route, service=service, environment=environment)


def _http_route(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, route: Route) -> None:
    """A Gateway API HTTPRoute sets the header with a ``RequestHeaderModifier`` filter."""
    environment = app_env.environment
    meta = microservice_meta(app_env, ms, "HTTPRoute", route.name)
    context = {
        "gateway": environment.gateway,
        "service": names.workload(environment.name, ms.name),
        "path_type": platform.GATEWAY_PATH_TYPES[ms.ingress_path_type],
    }
    folder.add(meta, "httproute.yaml.j2", ms=ms, route=route, **context)


def _https_redirect(folder: Folder, app_env: ApplicationEnvironment, ms: Microservice, route: Route) -> None:
    """The route's twin on the Gateway's HTTP listener, ``<route>-http``: the same hosts and
    path, redirected to HTTPS, as ingress-nginx redirects a host with TLS (with a 308, which
    the Gateway API's standard channel does not offer)."""
    environment = app_env.environment
    meta = microservice_meta(app_env, ms, "HTTPRoute", names.http_redirect(route.name))
    path_type = platform.GATEWAY_PATH_TYPES[ms.ingress_path_type]
    context = {"gateway": environment.gateway, "path_type": path_type, "status": HTTPS_REDIRECT_STATUS}
    folder.add(meta, "httproute-redirect.yaml.j2", ms=ms, route=route, **context)
