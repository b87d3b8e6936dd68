"""``init``: a new tree that validates and renders at once.

The scaffold takes its age recipient from ``--age-recipient``, else from the key file in
``SOPS_AGE_KEY_FILE``, else it generates a key pair into ``DIR/age.agekey`` (git-ignored).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from aigonix_render import age_keys
from aigonix_render.errors import OutputError, UsageError

KEY_FILE = "age.agekey"


@dataclass(frozen=True)
class InitOptions:
    folder: Path
    customer: str = "Example Customer"
    application: str = "example"
    age_recipient: str | None = None


@dataclass(frozen=True)
class InitResult:
    files: tuple[str, ...]
    generated_key: Path | None


def scaffold(options: InitOptions, environ: dict[str, str]) -> InitResult:
    folder = options.folder
    if (folder / "aigonix.yaml").exists():
        raise OutputError(f"{folder / 'aigonix.yaml'} exists already; init starts a new tree only")
    recipient, key = _recipient(options, environ)
    files = _files(options, recipient)
    if key is not None:
        files[KEY_FILE] = key.file_text(
            "aigonix-render init generated this key: keep it secret, never commit it"
        )
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if key is not None:
        os.chmod(folder / KEY_FILE, 0o600)
    return InitResult(tuple(sorted(files)), folder / KEY_FILE if key else None)


def _recipient(options: InitOptions, environ: dict[str, str]) -> tuple[str, age_keys.AgeKey | None]:
    if options.age_recipient:
        if not age_keys.AGE_RECIPIENT.fullmatch(options.age_recipient):
            raise UsageError(f"{options.age_recipient!r} is not an age recipient (age1 + 58 characters)")
        return options.age_recipient, None
    from_file = _public_key_of(environ.get("SOPS_AGE_KEY_FILE"))
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
        "aigonix.yaml": _CUSTOMER.format(name=options.customer, id=ids[0], recipient=recipient),
        f"applications/{app}/aigonix.yaml": _APPLICATION.format(name=app, id=ids[1], tenant=ids[2]),
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
  Prod:
    production: true
    recipients:
      age: [{recipient}]
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
          - host: {name}-dev.example.com
  Prod:
    tenants:
      - id: {tenant}
        alias: default
        hosts:
          - host: {name}.example.com
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
  - path_regex: (^|/)(secrets\\.yaml|registry\\.sops\\.yaml)$
    age: {recipient}
"""
_PRE_COMMIT = """\
repos:
  - repo: https://github.com/aigonix/aigonix-render
    rev: v0.1.0 # pin to a release
    hooks:
      - id: aigonix-validate
"""
