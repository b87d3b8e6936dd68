"""Derive the values of benchmarks/helm-chart/ from an aigonix.yaml tree, and check the chart.

    python benchmarks/helm_values.py TREE OUT.yaml
    python benchmarks/helm_values.py TREE OUT.yaml --check RENDERED [--helm HELM]

The values hold the tree as aigonix-render's model sees it (environment overrides merged,
defaults applied: the input a Helm user would write per environment), so ``helm template``
does the same work as aigonix-render's render stage: every name, label, annotation,
container, ConfigMap key and Runtime JSON file is computed by the chart's templates. Only
what Helm cannot compute is precomputed: the event-horizon consents (uuid5) and the peers of
each producer. Config files are stored once, by path, and looked up by the chart.

``--check RENDERED`` runs ``helm template`` with the values and compares every object the
chart renders with the same object in RENDERED (an ``aigonix-render render`` of TREE):
the same set of (kind, namespace, name) for the kinds the chart covers, and each object
equal once parsed (names, labels, annotations, containers, ConfigMap data, specs).
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

from aigonix_render.load import ConfigFile, load_tree
from aigonix_render.model import ApplicationEnvironment, Microservice, Model, Subscription, build_model

HERE = Path(__file__).resolve().parent
CHART = HERE / "helm-chart"
RUNTIME_PORT = 50052
COVERED_KINDS = ("ConfigMap", "Deployment", "Ingress", "NetworkPolicy", "Service", "StatefulSet")
SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_model(tree: Path) -> Model:
    loaded, problems = load_tree(tree)
    if problems:
        raise SystemExit(f"{tree} does not load: {problems[0]}")
    return build_model(loaded)


# --- values ---------------------------------------------------------------------------------


def values(model: Model) -> dict[str, Any]:
    files: dict[str, str] = {}
    binary: dict[str, str] = {}
    applications = []
    for application in model.applications:
        environments = [
            _environment(e, model.subscriptions, files, binary)
            for e in model.environments
            if e.application == application
        ]
        applications.append({"name": application.name, "id": application.id, "environments": environments})
    return {
        "customer": {"name": model.customer.name, "id": model.customer.id},
        "pullSecret": bool(model.customer.registry_credentials),
        "files": files,
        "binaryFiles": binary,
        "applications": applications,
    }


def _environment(
    app_env: ApplicationEnvironment,
    subscriptions: tuple[Subscription, ...],
    files: dict[str, str],
    binary: dict[str, str],
) -> dict[str, Any]:
    env = app_env.environment
    store = app_env.application.event_store
    mine = [s for s in subscriptions if s.environment == env.name]
    return {
        "name": env.name,
        "production": env.production,
        "ingressClass": env.ingress_class,
        "clusterIssuer": env.cluster_issuer,
        "eventStore": {"image": store.image, "size": store.size, "className": store.class_name},
        "tenants": [
            {
                "id": t.id,
                "alias": t.alias,
                "hosts": [{"host": h.host, "tlsSecret": h.tls_secret} for h in t.hosts],
            }
            for t in app_env.tenants
        ],
        "microservices": [_microservice(app_env, ms, mine, files, binary) for ms in app_env.microservices],
    }


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
        "resources": {kind: dict(values) for kind, values in ms.resources},
        "probes": [_probe(p) for p in ms.probes],
        "replicas": ms.replicas,
        "env": dict(ms.env),
        "secrets": bool(ms.secrets and ms.secrets_file),
        "files": [_file_ref(f, files, binary) for f in ms.files],
    }
    if ms.ingress_path is not None:
        data["ingress"] = {"path": ms.ingress_path, "pathType": ms.ingress_path_type}
    if ms.runtime:
        data["runtime"] = {"image": ms.runtime.image, **_horizons(app_env, ms, subscriptions)}
    return data


def _probe(probe: Any) -> dict[str, Any]:
    data = {"kind": probe.kind, "path": probe.path, "port": probe.port or "http"}
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
    """What Helm cannot derive: consents (uuid5), subscriptions and the producer's peers."""
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
    return {
        "consents": {t: sorted(e, key=_entry_order) for t, e in consents.items()},
        "horizons": {t: sorted(e, key=_entry_order) for t, e in horizons.items()},
        "producers": producers,
        "consumers": [{"application": a, "microservice": m} for a, m in peers],
    }


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
    with stream.open(encoding="utf-8") as text:
        return {_key(o): o for o in yaml.load_all(text, Loader=SafeLoader) if o}


def rendered_objects(out: Path) -> dict[Key, Any]:
    """The objects of the covered kinds in an aigonix-render output directory."""
    found: dict[Key, Any] = {}
    for path in sorted(out.rglob("*.yaml")):
        if path.name.split("-", 1)[0] not in {k.lower() for k in COVERED_KINDS}:
            continue
        obj = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
        if isinstance(obj, dict) and obj.get("kind") in COVERED_KINDS:
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
        yield f"{where}: {str(a)[:80]!r} != {str(b)[:80]!r}"


def compare(rendered: dict[Key, Any], helm: dict[Key, Any]) -> list[str]:
    """Problems found comparing aigonix-render's objects with Helm's; empty when equal."""
    report = []
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


def check(tree: Path, values_file: Path, rendered: Path, helm: str) -> int:
    with tempfile.TemporaryDirectory(prefix="aigonix-bench-helm-") as scratch:
        stream = Path(scratch) / "helm.yaml"
        helm_template(helm, values_file, stream)
        ours, theirs = rendered_objects(rendered), helm_objects(stream)
    problems = compare(ours, theirs)
    kinds = sorted({k[0] for k in ours})
    counts = ", ".join(f"{sum(1 for k in ours if k[0] == kind)} {kind}" for kind in kinds)
    if problems:
        print(f"helm and aigonix-render differ for {tree}:", *problems, sep="\n  ")
        return 1
    print(f"helm and aigonix-render render the same {len(ours)} objects ({counts})")
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
