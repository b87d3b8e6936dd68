"""An application environment's own objects: the tenants ConfigMap, its NetworkPolicy and
the event store with its backup (platform-api v4.13.0 pkg/platform/application/k8s/resources.go),
and the M3 connector's ``<env>-kafka-files`` when the tree holds its sealed data."""

from __future__ import annotations

import hashlib

from aigonix_render.foundation import names, platform, replace
from aigonix_render.model import ApplicationEnvironment
from aigonix_render.render import runtime
from aigonix_render.render.folder import Folder
from aigonix_render.render.meta import RETAINED, Meta, environment_meta, event_store_meta


def environment_objects(folder: Folder, app_env: ApplicationEnvironment) -> None:
    env = app_env.environment.name
    tenants = {platform.TENANTS_FILE: runtime.tenants_json(app_env)}
    config_map = environment_meta(app_env, "ConfigMap", names.tenants_config(env))
    folder.add(config_map, "configmap.yaml.j2", data=tenants, binary_data={})
    policy = environment_meta(app_env, "NetworkPolicy", names.environment_policy(env))
    folder.add(policy, "networkpolicy-environment.yaml.j2")
    if app_env.has_event_store:
        _event_store(folder, app_env)
    if app_env.kafka_files:
        _kafka_files(folder, app_env, app_env.kafka_files)


def _kafka_files(folder: Folder, app_env: ApplicationEnvironment, source: str) -> None:
    """The M3 connector's files as it wrote them (pkg/platform/microservice/m3connector/k8s/
    repo.go: UpsertKafkaFiles): labels ``tenant``, ``application`` and ``environment``, the
    environment lowercased and then its first letter upper-cased, as the connector did;
    annotations the namespace's. A ConfigMap, sealed like a Secret: ``accessKey.pem`` is a
    private key, so its data is encrypted in OUT too, and Flux, Argo CD's plugin and
    ``diff --live`` decrypt it as they decrypt Secrets."""
    env = app_env.environment.name
    meta = environment_meta(app_env, "ConfigMap", names.kafka_files(env))
    labels = {**meta.labels, "environment": _titled(env.lower())}
    folder.secret(replace(meta, labels=labels), source, platform.KAFKA_KEYS, app_env.environment.recipients)


def _titled(environment: str) -> str:
    """Go's ``strings.ToUpper(string(environment[0])) + environment[1:]``."""
    return environment[:1].upper() + environment[1:]


def _event_store(folder: Folder, app_env: ApplicationEnvironment) -> None:
    environment, store = app_env.environment, app_env.application.event_store
    service = event_store_meta(app_env, "Service", names.mongo(environment.name))
    folder.add(service, "mongo-service.yaml.j2")
    resources = tuple(platform.event_store_resources(environment.production).items())
    storage = names.mongo_storage(environment.name)
    stateful_set = replace(service, kind="StatefulSet", annotations={**service.annotations, **RETAINED})
    folder.add(stateful_set, "mongo-statefulset.yaml.j2", store=store, resources=resources, storage=storage)
    if store.backup:
        _backup(folder, replace(service, kind="CronJob", name=names.mongo_backup(environment.name)), app_env)


def _backup(folder: Folder, meta: Meta, app_env: ApplicationEnvironment) -> None:
    """``mongodump`` into the platform's Azure file share or into a PersistentVolumeClaim."""
    application, environment = app_env.application, app_env.environment
    context = {
        "schedule": _backup_schedule(app_env),
        "script": _backup_script(app_env),
        "share": names.backup_share(application.name, environment.name),
    }
    folder.add(meta, "mongo-backup-cronjob.yaml.j2", store=application.event_store, **context)


def _backup_schedule(app_env: ApplicationEnvironment) -> str:
    """Hourly at a minute of its own (spread, yet the same on every render) unless given;
    an adopted application gives the minute the platform drew at random."""
    given = app_env.application.event_store.backup_schedule
    if given:
        return given
    seed = hashlib.sha256(f"{app_env.application.id}/{app_env.environment.name}".encode()).digest()
    return f"{seed[0] % 60} * * * *"


def _backup_script(app_env: ApplicationEnvironment) -> str:
    """The platform's command, archive names included: restore tooling lists them by name.
    Unquoted as the platform wrote it: application and environment names that validated
    hold no character a shell treats specially."""
    application, environment = app_env.application, app_env.environment
    host = names.mongo_host(environment.name, application.id)
    archive = names.backup_archive(application.name, environment.name)
    stamp = "$(date +%Y-%m-%d_%H-%M-%S)"
    return (
        f"mongodump --host={host}:{platform.MONGO_PORT} --gzip"
        f" --archive={platform.BACKUP_FOLDER}{archive}-{stamp}.gz.mongodump"
    )
