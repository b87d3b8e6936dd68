"""The creation rules of the ``.sops.yaml`` already in TREE, checked before any is used.

``age`` may be a list or a comma-separated string, also inside ``key_groups``. The file is
read under the dump's limits (``yaml_in``); a rule of another shape than sops reads, or a
``path_regex`` that is no regular expression, is an error line naming the file and the
field, and the import writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from aigonix_render.commands.importer import report
from aigonix_render.commands.importer.errors import DumpError, ImportRefused
from aigonix_render.commands.importer.yaml_in import load_documents
from aigonix_render.foundation import UsageError, record

SOPS_CONFIG = ".sops.yaml"
_OTHER_KEYS = ("pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms")


@record
class Rule:
    path_regex: re.Pattern[str] | None
    age: tuple[str, ...]
    other: tuple[str, ...]

    def matches(self, path: str) -> bool:
        return self.path_regex is None or self.path_regex.search(path) is not None


def read_rules(text: bytes | None) -> list[Rule]:
    """The creation rules of a ``.sops.yaml``; refused with error lines if sops could not
    read them as rules."""
    if text is None:
        return []
    try:
        documents = load_documents(SOPS_CONFIG, text.decode("utf-8"))
    except (DumpError, UnicodeDecodeError):
        raise UsageError(f"{SOPS_CONFIG} in the target folder is not YAML") from None
    config = documents[0] if documents else None
    errors = list(_shape_errors(config))
    if errors:
        raise ImportRefused(errors)
    rules = config.get("creation_rules") if isinstance(config, dict) else None
    return [_rule(rule) for rule in rules or []]


def _shape_errors(config: Any) -> Iterator[report.ReportLine]:
    if config is None:
        return
    if not isinstance(config, dict):
        yield report.error(SOPS_CONFIG, "not a mapping (sops reads creation_rules from a mapping)")
        return
    rules = config.get("creation_rules")
    if rules is not None and not isinstance(rules, list):
        yield report.error(SOPS_CONFIG, "not a list of rules", "creation_rules")
        return
    for index, rule in enumerate(rules or []):
        yield from _rule_errors(rule, f"creation_rules[{index}]")


def _rule_errors(rule: Any, path: str) -> Iterator[report.ReportLine]:
    if not isinstance(rule, dict):
        yield report.error(SOPS_CONFIG, "not a mapping (a creation rule)", path)
        return
    regex = rule.get("path_regex")
    if regex is not None and not isinstance(regex, str):
        yield report.error(SOPS_CONFIG, "not a string", f"{path}.path_regex")
    elif isinstance(regex, str) and _compiled(regex) is None:
        yield report.error(SOPS_CONFIG, "not a regular expression", f"{path}.path_regex")
    groups = rule.get("key_groups")
    if groups is not None and not (isinstance(groups, list) and all(isinstance(g, dict) for g in groups)):
        yield report.error(SOPS_CONFIG, "not a list of mappings", f"{path}.key_groups")


def _compiled(regex: str) -> re.Pattern[str] | None:
    try:
        return re.compile(regex)
    except (re.error, RecursionError, OverflowError):
        return None


def _rule(rule: Mapping[str, Any]) -> Rule:
    groups = [rule, *(rule.get("key_groups") or [])]
    age = [key for group in groups for key in _keys(group.get("age"))]
    other = tuple(kind for kind in _OTHER_KEYS if any(group.get(kind) for group in groups))
    regex = rule.get("path_regex")
    return Rule(_compiled(regex) if isinstance(regex, str) else None, tuple(dict.fromkeys(age)), other)


def _keys(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(item).strip() for item in items if str(item).strip()]
