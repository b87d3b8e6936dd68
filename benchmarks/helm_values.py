"""Derive the values of benchmarks/helm-chart/ from an aigonix.yaml tree, and check the chart.

    python benchmarks/helm_values.py TREE OUT.yaml
    python benchmarks/helm_values.py TREE OUT.yaml --check RENDERED [--helm HELM]

The values hold the tree as aigonix-render's model sees it (environment overrides merged,
defaults applied: the input a Helm user would write per environment), so ``helm template``
does the same work as aigonix-render's render stage: every name, label, annotation,
container, RBAC rule, ConfigMap key and Dolittle Runtime JSON file (written in the
platform's field order, map keys sorted) is computed by the chart's templates, and so is
each Runtime's shape (its version, from the image). Only what Helm cannot compute is
precomputed: the event-horizon consents (uuid5), each Runtime's subscriptions and consents
grouped by tenant and sorted as the platform sorted them, the producers it reads from and
its consumers (sorted). Config files are stored once, by path, and looked up by the chart.

The chart renders every object of the benchmark's ``--no-secrets`` tree: the shared
Namespace, Role, RoleBindings and ServiceAccount of each application, each environment's
tenants ConfigMap, NetworkPolicy and event store, and each microservice's ConfigMaps, empty
``-secret-env-variables`` Secret (where it has no secrets), Deployment, Service, Ingresses and
NetworkPolicies. The SOPS-sealed Secrets (secrets, the ``acr`` pull Secret) are the seal
stage's, not render's: the chart leaves them out and the check skips them. What the generated
trees do not use (Gateway API routes, the M3 connector, pre-v2.8.0 Runtime databases,
event-store backups, GitOps delivery objects) the chart does not render: a tree that uses
them is refused.

``--check RENDERED`` runs ``helm template`` with the values and compares every object the
chart renders with the same object in RENDERED (an ``aigonix-render render`` of TREE): the
same set of (kind, namespace, name) over every object RENDERED holds but its kustomizations
and sealed Secrets, and each object equal once parsed (names, labels, annotations,
containers, ConfigMap data, specs).
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from aigonix_render.foundation.platform import INGRESS_NGINX
from aigonix_render.load import ConfigFile, load_tree
from aigonix_render.model import (
    Application,
    ApplicationEnvironment,
    Microservice,
    Model,
    Probe,
    Resources,
    Subscription,
    Tenant,
    build_model,
)

HERE = Path(__file__).resolve().parent
CHART = HERE / "helm-chart"
# The kinds the chart renders; a rendered object of any other kind is reported by the check.
COVERED_KINDS = (
    "ConfigMap",
    "Deployment",
    "Ingress",
    "Namespace",
    "NetworkPolicy",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
)
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_model(tree: Path) -> Model:
    loaded, problems = load_tree(tree)
    if problems:
        raise SystemExit(f"{tree} does not load: {problems[0]}")
    model = build_model(loaded)
    unsupported = sorted(set(_unsupported(model)))
    if unsupported:
        raise SystemExit(f"{tree} uses what the benchmark chart does not render: {', '.join(unsupported)}")
    return model


def _unsupported(model: Model) -> Iterator[str]:
    if model.customer.gitops:
        yield "gitops"
    for app_env in model.environments:
        if app_env.environment.routes != INGRESS_NGINX:
            yield "Gateway API routes"
        if app_env.application.event_store.backup:
            yield "event-store backups"
        for ms in app_env.microservices:
            if ms.m3_connector:
                yield "the M3 connector"
            if ms.runtime and ms.runtime.legacy:
                yield "legacy Runtime databases"


# --- values ---------------------------------------------------------------------------------


def values(model: Model) -> dict[str, Any]:
    files: dict[str, str] = {}
    binary: dict[str, str] = {}
    customer = model.customer
    return {
        "customer": {"name": customer.name, "id": customer.id, "labelledPods": customer.labelled_pods},
        "pullSecret": bool(customer.registry_credentials),
        "files": files,
        "binaryFiles": binary,
        "applications": [_application(model, a, files, binary) for a in model.applications],
    }


def _application(
    model: Model, application: Application, files: dict[str, str], binary: dict[str, str]
) -> dict[str, Any]:
    store = application.event_store
    environments = [
        _environment(e, model.subscriptions, files, binary)
        for e in model.environments
        if e.application == application
    ]
    return {
        "name": application.name,
        "id": application.id,
        "developers": list(application.developers),
        "eventStore": {
            "image": store.image,
            "size": store.size,
            "className": store.class_name,
            "always": store.always,
        },
        "environments": environments,
    }


def _environment(
    app_env: ApplicationEnvironment,
    subscriptions: tuple[Subscription, ...],
    files: dict[str, str],
    binary: dict[str, str],
) -> dict[str, Any]:
    env = app_env.environment
    mine = [s for s in subscriptions if s.environment == env.name]
    return {
        "name": env.name,
        "production": env.production,
        "ingressClass": env.ingress_class,
        "clusterIssuer": env.cluster_issuer,
        "tenants": [_tenant(t) for t in app_env.tenants],
        "microservices": [_microservice(app_env, ms, mine, files, binary) for ms in app_env.microservices],
    }


def _tenant(tenant: Tenant) -> dict[str, Any]:
    hosts = [
        {"host": h.host, "secretName": h.secret_name} if h.secret_name else {"host": h.host}
        for h in tenant.hosts
    ]
    return {"id": tenant.id, "alias": tenant.alias, "hosts": hosts}


def _microservice(
    app_env: ApplicationEnvironment,
    ms: Microservice,
    subscriptions: list[Subscription],
    files: dict[str, str],
    binary: dict[str, str],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": ms.name,
        "id": ms.id,
        "image": ms.image,
        "port": ms.port,
        "command": list(ms.command),
        "args": list(ms.args),
        "resources": _resources(ms.resources),
        "probes": [_probe(p) for p in ms.probes],
        "replicas": ms.replicas,
        "env": dict(ms.env),
        "secrets": bool(ms.secrets and ms.secrets_file),
        "files": [_file_ref(f, files, binary) for f in ms.files],
    }
    if ms.ingress_path is not None:
        data["ingress"] = {"path": ms.ingress_path, "pathType": ms.ingress_path_type}
    if ms.runtime:
        data["runtime"] = {"image": ms.runtime.image, "resources": _resources(ms.runtime.resources)}
    return data | _horizons(app_env, ms, subscriptions)


def _resources(resources: Resources) -> dict[str, dict[str, str]]:
    return {kind: dict(values) for kind, values in resources}


def _probe(probe: Probe) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": probe.kind, "path": probe.path, "port": probe.port or "http"}
    if probe.initial_delay_seconds is not None:
        data["initialDelaySeconds"] = probe.initial_delay_seconds
    if probe.period_seconds is not None:
        data["periodSeconds"] = probe.period_seconds
    return data


def _file_ref(config: ConfigFile, files: dict[str, str], binary: dict[str, str]) -> dict[str, Any]:
    try:
        files[config.path] = config.content.decode("utf-8")
        return {"name": config.name, "ref": config.path}
    except UnicodeDecodeError:
        binary[config.path] = base64.b64encode(config.content).decode("ascii")
        return {"name": config.name, "ref": config.path, "binary": True}


def _horizons(app_env: ApplicationEnvironment, ms: Microservice, mine: list[Subscription]) -> dict[str, Any]:
    """What Helm cannot derive, only where there is some: the consents (uuid5) by producer
    tenant and the subscriptions by consumer tenant, each list sorted by its values in the
    order of their keys; the producers read from; the consumers, sorted."""
    here = app_env.application
    consumed = [s for s in mine if s.consumer.id == ms.id and s.consumer.application == here]
    produced = [s for s in mine if s.producer.id == ms.id and s.producer.application == here]
    consents: dict[str, list[dict[str, str]]] = {}
    horizons: dict[str, list[dict[str, str]]] = {}
    for s in produced:
        for consumer_tenant, producer_tenant in s.tenants:
            entry = {"microservice": s.consumer.id, "tenant": consumer_tenant, "stream": s.stream}
            entry |= {"partition": s.partition, "consent": s.consent(consumer_tenant, producer_tenant)}
            consents.setdefault(producer_tenant, []).append(entry)
    for s in consumed:
        for consumer_tenant, producer_tenant in s.tenants:
            entry = {"scope": s.scope, "microservice": s.producer.id, "tenant": producer_tenant}
            entry |= {"stream": s.stream, "partition": s.partition}
            horizons.setdefault(consumer_tenant, []).append(entry)
    producers = {
        s.producer.id: {
            "environment": s.environment,
            "name": s.producer.name,
            "application": s.producer.application.id,
        }
        for s in consumed
    }
    peers = sorted({(s.consumer.application.name, s.consumer.name) for s in produced})
    found = {
        "consents": {t: sorted(e, key=_entry_order) for t, e in consents.items()},
        "horizons": {t: sorted(e, key=_entry_order) for t, e in horizons.items()},
        "producers": producers,
        "consumers": [{"application": a, "microservice": m} for a, m in peers],
    }
    return {key: value for key, value in found.items() if value}


def _entry_order(entry: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(entry[k] for k in sorted(entry))


def write_values(tree: Path, out: Path) -> dict[str, Any]:
    data = values(read_model(tree))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream, Dumper=SafeDumper, sort_keys=False, allow_unicode=True, width=1000)
    return data


# --- the check ------------------------------------------------------------------------------

Key = tuple[str, str, str]


def helm_template(helm: str, values_file: Path, output: Path) -> None:
    argv = [helm, "template", "bench", str(CHART), "--values", str(values_file)]
    with output.open("wb") as stream:
        subprocess.run(argv, stdout=stream, check=True)


def _key(obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return (obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", ""))


def helm_objects(stream: Path) -> dict[Key, Any]:
    """Every object of helm's stream; an object rendered twice is kept under a name of its
    own, so that the comparison reports it (``only in helm``)."""
    found: dict[Key, Any] = {}
    with stream.open(encoding="utf-8") as text:
        for obj in yaml.load_all(text, Loader=SafeLoader):
            if obj:
                key = _key(obj)
                while key in found:
                    key = (key[0], key[1], f"{key[2]} (again)")
                found[key] = obj
    return found


def rendered_objects(out: Path) -> dict[Key, Any]:
    """Every object in an aigonix-render output directory but the kustomizations and the
    sealed Secrets (the seal stage's work, which the chart leaves out)."""
    found: dict[Key, Any] = {}
    for path in sorted(out.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        obj = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
        if isinstance(obj, dict) and not (obj.get("kind") == "Secret" and "sops" in obj):
            found[_key(obj)] = obj
    return found


def differences(a: Any, b: Any, where: str = "") -> Iterator[str]:
    """Where two parsed objects differ, as paths (the first few suffice)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                yield f"{where}.{key}: only in {'aigonix-render' if key in a else 'helm'}"
            else:
                yield from differences(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from differences(x, y, f"{where}[{index}]")
    elif a != b:
        start = _first_difference(a, b) if isinstance(a, str) and isinstance(b, str) else 0
        yield f"{where}: {str(a)[start : start + 80]!r} != {str(b)[start : start + 80]!r}"


def _first_difference(a: str, b: str) -> int:
    """Where two texts part, less a little context (long JSON files differ deep inside)."""
    same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return max(0, same - 20)


def compare(rendered: dict[Key, Any], helm: dict[Key, Any]) -> list[str]:
    """Problems found comparing aigonix-render's objects with Helm's; empty when equal."""
    report = []
    uncovered = sorted({key[0] for key in rendered} - set(COVERED_KINDS))
    if uncovered:
        report.append(f"kinds the chart does not cover: {', '.join(uncovered)}")
    for key in sorted(set(rendered) - set(helm))[:10]:
        report.append(f"missing in helm: {key}")
    for key in sorted(set(helm) - set(rendered))[:10]:
        report.append(f"only in helm: {key}")
    for key in sorted(set(rendered) & set(helm)):
        found = list(differences(rendered[key], helm[key]))
        if found:
            report.append(f"{key}: " + "; ".join(found[:5]))
        if len(report) > 20:
            break
    return report


def counts(objects: Mapping[Key, Any]) -> str:
    """How many objects of each kind, e.g. ``9300 ConfigMap, 3000 Deployment``."""
    kinds = sorted({key[0] for key in objects})
    return ", ".join(f"{sum(1 for key in objects if key[0] == kind)} {kind}" for kind in kinds)


def check(tree: Path, values_file: Path, rendered: Path, helm: str) -> int:
    with tempfile.TemporaryDirectory(prefix="aigonix-bench-helm-") as scratch:
        stream = Path(scratch) / "helm.yaml"
        helm_template(helm, values_file, stream)
        ours, theirs = rendered_objects(rendered), helm_objects(stream)
    problems = compare(ours, theirs)
    print(f"aigonix-render: {len(ours)} objects ({counts(ours)})")
    print(f"helm:           {len(theirs)} objects ({counts(theirs)})")
    if problems:
        print(f"helm and aigonix-render differ for {tree}:", *problems, sep="\n  ")
        return 1
    print(f"helm and aigonix-render render the same {len(ours)} objects, each equal once parsed")
    return 0


def default_helm() -> str:
    from helm_tool import helm_binary

    return str(helm_binary())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("tree", type=Path, help="the aigonix.yaml tree")
    parser.add_argument("out", type=Path, help="the values file to write")
    parser.add_argument(
        "--check", type=Path, metavar="RENDERED", help="compare helm's output with this render"
    )
    parser.add_argument("--helm", default=None, help="the helm binary (default: PATH, else extracted)")
    args = parser.parse_args(argv)
    data = write_values(args.tree, args.out)
    count = sum(len(e["microservices"]) for a in data["applications"] for e in a["environments"])
    print(f"wrote {args.out}: {len(data['applications'])} applications, {count} microservice environments")
    if args.check:
        sys.exit(check(args.tree, args.out, args.check, args.helm or default_helm()))


if __name__ == "__main__":
    main()
