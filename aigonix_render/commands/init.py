"""``init``: a new tree that validates and renders at once.

The scaffold takes its age recipient from ``--age-recipient``, else from the key file in
``SOPS_AGE_KEY_FILE``, else it generates a key pair into ``DIR/age.agekey`` (git-ignored).
"""

from __future__ import annotations

import os
import shlex
import uuid
from pathlib import Path

from aigonix_render import __version__
from aigonix_render.foundation import OutputError, UsageError, age_keys, names, record, scalar

KEY_FILE = age_keys.TREE_KEY_FILE


def key_message(key: Path) -> str:
    """What ``init`` says of the key it generated: ``render`` finds it in the root by itself;
    sops (``sops edit``) needs the variable, with an absolute path that holds in any folder."""
    return (
        f"generated an age key in {key}: keep it secret, never commit it; render finds it there "
        f"by itself; for sops: export SOPS_AGE_KEY_FILE={shlex.quote(os.path.abspath(key))}"
    )


@record
class InitOptions:
    folder: Path
    customer: str = "Example Customer"
    application: str = "example"
    age_recipient: str | None = None


@record
class InitResult:
    files: tuple[str, ...]
    generated_key: Path | None
    kept: tuple[str, ...] = ()


def scaffold(options: InitOptions, environ: dict[str, str]) -> InitResult:
    """Write the scaffold; a file that exists already is kept as it is, never replaced
    (an existing ``age.agekey`` may be the only copy of a private key: it is used instead)."""
    folder = options.folder
    if (folder / "aigonix.yaml").exists():
        raise OutputError(f"{folder / 'aigonix.yaml'} exists already; init starts a new tree only")
    _check_name(options.application)
    _check_customer(options.customer)
    recipient, key = _recipient(options, environ)
    files = _files(options, recipient)
    if key is not None:
        files[KEY_FILE] = key.file_text(
            "aigonix-render init generated this key: keep it secret, never commit it"
        )
    written = tuple(name for name, text in sorted(files.items()) if _create(folder, name, text))
    kept = tuple(sorted(set(files) - set(written)))
    generated = folder / KEY_FILE if key is not None and KEY_FILE in written else None
    return InitResult(written, generated, kept)


def _check_name(application: str) -> None:
    """The application name becomes a folder: a DNS label, so it cannot lead elsewhere."""
    why = names.dns1123_label(application)
    if why:
        raise UsageError(f"{application!r} cannot be an application name: {why}")


def _check_customer(customer: str) -> None:
    """The customer name becomes the ``tenant`` label (spaces as ``_``): refused before
    anything is written when validate would refuse it."""
    label = names.customer_label(customer)
    if names.label_value(label):
        raise UsageError(
            f"{customer!r} cannot be a customer name: it becomes the label tenant={label!r}, so it "
            "may hold only letters, digits, spaces, '-', '_' and '.', start and end with a letter "
            "or digit, and be at most 63 characters"
        )


def _create(folder: Path, name: str, text: str) -> bool:
    """Create ``folder/name`` only if nothing is there (O_EXCL: no race, no overwrite)."""
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if name == KEY_FILE else 0o644
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def _recipient(options: InitOptions, environ: dict[str, str]) -> tuple[str, age_keys.AgeKey | None]:
    if options.age_recipient:
        if not age_keys.AGE_RECIPIENT.fullmatch(options.age_recipient):
            raise UsageError(f"{options.age_recipient!r} is not an age recipient (age1 + 58 characters)")
        return options.age_recipient, None
    from_file = _public_key_of(environ.get("SOPS_AGE_KEY_FILE")) or _public_key_of(
        str(options.folder / KEY_FILE)
    )
    if from_file:
        return from_file, None
    key = age_keys.generate()
    return key.recipient, key


def _public_key_of(path: str | None) -> str | None:
    """The ``# public key:`` line that age-keygen writes into key files."""
    if not path or not Path(path).is_file():
        return None
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        candidate = line.removeprefix("# public key:").strip()
        if line.startswith("# public key:") and age_keys.AGE_RECIPIENT.fullmatch(candidate):
            return candidate
    return None


def _files(options: InitOptions, recipient: str) -> dict[str, str]:
    app = options.application
    ids = [str(uuid.uuid4()) for _ in range(4)]
    return {
        "aigonix.yaml": _CUSTOMER.format(name=scalar(options.customer), id=ids[0], recipient=recipient),
        f"applications/{app}/aigonix.yaml": _APPLICATION.format(
            name=scalar(app),
            id=ids[1],
            tenant=ids[2],
            dev_host=scalar(f"{app}-dev.example.com"),
            host=scalar(f"{app}.example.com"),
        ),
        f"applications/{app}/microservices/hello/aigonix.yaml": _MICROSERVICE.format(id=ids[3]),
        ".sops.yaml": _SOPS.format(recipient=recipient),
        ".pre-commit-config.yaml": _PRE_COMMIT,
        ".gitignore": f"{KEY_FILE}\n*.agekey\n",
    }


_CUSTOMER = """\
# Editor support: aigonix-render schema Customer > customer.schema.json, then
# yaml-language-server: $schema=customer.schema.json
apiVersion: aigonix.io/v1
kind: Customer
name: {name}
id: {id}
environments:
  Dev:
    production: false
    recipients:
      age: [{recipient}]
    # Public microservices get Gateway API HTTPRoutes that set the Tenant-ID header. The
    # cluster provides the Gateway, its listeners and certificates (README, "Routes");
    # routes: {{kind: ingress-nginx}} renders the platform's ingress-nginx Ingresses instead.
    routes:
      kind: gateway
      gateway: {{name: public, namespace: gateway-system}}
  Prod:
    production: true
    recipients:
      age: [{recipient}]
    routes:
      kind: gateway
      gateway: {{name: public, namespace: gateway-system}}
"""
_APPLICATION = """\
apiVersion: aigonix.io/v1
kind: Application
name: {name}
id: {id}
environments:
  Dev:
    tenants:
      - id: 445f8ea8-1a6f-40d7-b2fc-796dba92dc44
        alias: default
        hosts:
          - host: {dev_host}
  Prod:
    tenants:
      - id: {tenant}
        alias: default
        hosts:
          - host: {host}
"""
_MICROSERVICE = """\
apiVersion: aigonix.io/v1
kind: Microservice
name: Hello
id: {id}
head:
  image: nginxinc/nginx-unprivileged:1.27
  port: 8080
  probes:
    liveness:
      path: /
    readiness:
      path: /
ingress:
  path: /
env:
  GREETING: hello
# Secret env vars: list their names here and put the values, encrypted, in
# environments/<Env>/secrets.yaml (`sops edit` follows .sops.yaml).
environments:
  Prod:
    replicas: 2
"""
_SOPS = """\
creation_rules:
  - path_regex: (^|/)(secrets\\.yaml|storage-account\\.yaml|kafka-files\\.yaml|registry\\.sops\\.yaml)$
    age: {recipient}
"""
# The release this aigonix-render is: the tag the release workflow publishes it from.
_PRE_COMMIT = f"""\
repos:
  - repo: https://github.com/aigonix/aigonix-render
    rev: v{__version__} # the release that wrote this file; pre-commit autoupdate bumps it
    hooks:
      - id: aigonix-validate
"""
