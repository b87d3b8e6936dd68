"""Who the imported secrets are encrypted for, and the encryption itself (in memory).

Recipients come per environment from ``--age-recipient ENV=KEY`` or from the creation
rules of the ``.sops.yaml`` already in TREE (``sops_config``: the rule sops itself would
pick for the environment's ``secrets.yaml``). An environment's kafka files are encrypted as
its secrets files are; an application's storage account, like the registry credentials, for
the rule sops picks for its file, else for every environment of the application (the
recipients the render seals ``storage-account-secret`` for). Secret values exist only as Python strings on their way
into ``sops_age.encrypt``: no temporary file, no process argument, no message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import yaml

from aigonix_render.commands.importer.errors import RecipientsMissing
from aigonix_render.commands.importer.sops_config import SOPS_CONFIG, Rule
from aigonix_render.commands.importer.yaml_out import secret_lines
from aigonix_render.foundation import KAFKA_FILES, STORAGE_ACCOUNT, SopsError, UsageError, age_keys, record
from aigonix_render.seal import age as sops_age

REGISTRY_FILE = "registry.sops.yaml"
# sops's own default rule, as a .sops.yaml rule without a regex gives: every value but
# keys ending so is encrypted. A secret of such a name would stay in clear: refused.
UNENCRYPTED_SUFFIX = "_unencrypted"


@record
class Keys:
    environments: Mapping[str, tuple[str, ...]]
    registry: tuple[str, ...]
    rules: tuple[Rule, ...] = ()

    def application(self, path: str, environments: Iterable[str]) -> tuple[str, ...]:
        """Who an application's sealed file at ``path`` is encrypted for: the rule sops
        picks, else every recipient of the application's environments."""
        chosen = _from_rules(list(self.rules), path)
        return chosen or tuple(sorted({k for env in environments for k in self.environments[env]}))


def parse_recipients(values: tuple[str, ...], environments: list[str]) -> dict[str, tuple[str, ...]]:
    """``ENV=age1...`` options, repeatable; the environment named as the dump names it."""
    found: dict[str, list[str]] = {}
    for value in values:
        env, _, recipient = value.partition("=")
        chosen = next((e for e in environments if e.lower() == env.strip().lower()), None)
        if chosen is None:
            raise UsageError(
                f"--age-recipient {env}=...: {env!r} is no environment of the dump ({', '.join(environments)})"
            )
        if not age_keys.AGE_RECIPIENT.fullmatch(recipient.strip()):
            raise UsageError(f"--age-recipient {env}=...: not an age recipient (age1 and 58 characters)")
        found.setdefault(chosen, []).append(recipient.strip())
    return {env: tuple(dict.fromkeys(keys)) for env, keys in found.items()}


def choose_keys(
    environments: list[str],
    given: Mapping[str, tuple[str, ...]],
    rules: list[Rule],
    paths: Mapping[str, str],
    needs: Mapping[str, str],
) -> Keys:
    """Each environment's age recipients; ``paths``: a secrets file of each environment for
    the rules to match; ``needs``: what each environment has to encrypt, for the message."""
    chosen: dict[str, tuple[str, ...]] = {}
    missing = []
    for env in environments:
        keys = given.get(env) or _from_rules(rules, paths[env])
        if keys:
            chosen[env] = keys
        else:
            missing.append(env)
    if missing:
        raise RecipientsMissing(_missing_message(missing, rules, needs))
    registry = _from_rules(rules, REGISTRY_FILE) or tuple(
        sorted({k for keys in chosen.values() for k in keys})
    )
    return Keys(chosen, registry, tuple(rules))


def _from_rules(rules: list[Rule], path: str) -> tuple[str, ...]:
    rule = next((r for r in rules if r.matches(path)), None)
    if rule is not None and rule.other and not rule.age:
        raise RecipientsMissing(
            f"the {SOPS_CONFIG} rule for {path} has {', '.join(rule.other)} keys only: "
            "import encrypts for age recipients; give --age-recipient ENV=age1..."
        )
    return rule.age if rule is not None else ()


def _missing_message(missing: list[str], rules: list[Rule], needs: Mapping[str, str]) -> str:
    what = "; ".join(f"{env}: {needs[env]}" for env in missing)
    where = f"a creation rule in TREE/{SOPS_CONFIG}" if rules else f"TREE/{SOPS_CONFIG} with creation rules"
    return (
        f"no age recipients for {', '.join(missing)} ({what}): give --age-recipient "
        f"{missing[0]}=age1... or {where}; nothing was written"
    )


def encrypt(values: Mapping[str, str], recipients: tuple[str, ...], name: str) -> str:
    """What ``sops encrypt`` writes for a rule without a regex; checked before use."""
    try:
        sealed = sops_age.encrypt(secret_lines(values), recipients, "", name=name)
    except SopsError as error:
        raise SopsError(f"{name}: could not encrypt it: {error}") from None
    document = yaml.safe_load(sealed)
    clear = [k for k, v in document.items() if k != "sops" and not str(v).startswith("ENC[")]
    if clear or sorted(k for k in document if k != "sops") != sorted(values):
        raise SopsError(f"{name}: the encryption left values in clear; nothing was written")
    return sealed


def config_text(keys: Keys, applications: Mapping[str, tuple[str, ...]] | None = None) -> str:
    """A ``.sops.yaml`` for a new tree: ``sops edit`` then encrypts as the import did;
    ``applications``: each application folder's recipients for its storage account."""
    rules = [
        (
            rf"(^|/)applications/[^/]+/microservices/[^/]+/environments/{re.escape(env)}/secrets\.yaml$",
            recipients,
        )
        for env, recipients in sorted(keys.environments.items())
    ]
    rules += [
        (rf"(^|/)applications/[^/]+/environments/{re.escape(env)}/{re.escape(KAFKA_FILES)}$", recipients)
        for env, recipients in sorted(keys.environments.items())
    ]
    rules += [
        (rf"(^|/)applications/{re.escape(folder)}/{re.escape(STORAGE_ACCOUNT)}$", recipients)
        for folder, recipients in sorted((applications or {}).items())
    ]
    rules.append((rf"(^|/){re.escape(REGISTRY_FILE)}$", keys.registry))
    lines = ["# Written by aigonix-render import: who `sops edit` encrypts each file for.", "creation_rules:"]
    for regex, recipients in rules:
        lines += [f"  - path_regex: '{regex}'", f"    age: {','.join(recipients)}"]
    return "\n".join(lines) + "\n"
