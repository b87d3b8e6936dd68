"""A test tree whose values are hostile to YAML, templates and shells."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import BASE, KEYS, public_key

PEM = "-----BEGIN PRIVATE KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEA0Z3VS5JJcds3xfn/\nygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB+S2ZqLxYdmMZ7SFnJB6Q==\n-----END PRIVATE KEY-----\n"
HOSTILE_VALUES = [
    "a: b # c",
    "' \" { } [ ] & * ! | > % @ `",
    "line one\nline two\n",
    "0042",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "1.10",
    "{{ .Values.secret }} {% raw %}",
    "ünïcödé 日本語 😀",
    "- item",
    "key: value\n---\nother: doc",
    "  leading and trailing  ",
    "tab\there",
    "$(echo pwned) `id` ${HOME}",
]
HOSTILE_ENV = {f"HOSTILE_{i:02d}": v for i, v in enumerate(HOSTILE_VALUES)}
HOSTILE_SECRETS = {
    "dev": {"DB_PASSWORD": "dev: pässwörd # {x} [y] & * ! | > %", "API_KEY": PEM},
    "prod": {"DB_PASSWORD": "yes", "API_KEY": 'ünï\n"quoted"\n{{ template }}'},
}


def hostile_tree(folder: Path) -> tuple[Path, Path]:
    """The base tree with hostile env values and secrets; returns it and a key file for it."""
    tree = folder / "tree"
    shutil.copytree(BASE, tree)
    web = tree / "applications/shop/microservices/web/aigonix.yaml"
    env_lines = "".join(
        f"  {name}: {json.dumps(value, ensure_ascii=False)}\n" for name, value in HOSTILE_ENV.items()
    )
    web.write_text(
        web.read_text().replace("env:\n  LOG_LEVEL: info\n", "env:\n" + env_lines), encoding="utf-8"
    )
    from aigonix_render.seal.sops import find_sops

    recipients = f"{public_key('dev')},{public_key('prod')}"
    for env, values in HOSTILE_SECRETS.items():
        target = (
            tree / f"applications/shop/microservices/billing/environments/{env.capitalize()}/secrets.yaml"
        )
        plaintext = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items())
        argv = [
            find_sops(),
            "encrypt",
            "--age",
            recipients,
            "--input-type",
            "yaml",
            "--output-type",
            "yaml",
            "--filename-override",
            "secrets.yaml",
            "/dev/stdin",
        ]
        sealed = subprocess.run(argv, input=plaintext, capture_output=True, text=True, check=True)
        target.write_text(sealed.stdout, encoding="utf-8")
    key = folder / "both.agekey"
    key.write_text((KEYS / "dev.agekey").read_text() + (KEYS / "prod.agekey").read_text())
    return tree, key
