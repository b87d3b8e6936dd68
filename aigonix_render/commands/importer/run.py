"""``import``: dumps → recognised objects → the tree in memory → encrypted files → staged
beside TREE → validated and rendered against the dump → moved into TREE.

Nothing reaches TREE unless every step succeeded (and, with ``strict``, the report has no
warning). The report is returned as values; the caller prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aigonix_render.commands.importer import report, target
from aigonix_render.commands.importer.build import Draft, build
from aigonix_render.commands.importer.dump import DumpSource, read_dumps
from aigonix_render.commands.importer.kubectl import read_cluster
from aigonix_render.commands.importer.layout import secret_paths, tree_files
from aigonix_render.commands.importer.recognise import recognise
from aigonix_render.commands.importer.report import ReportLine
from aigonix_render.commands.importer.secrets import Keys, choose_keys, parse_recipients, read_rules
from aigonix_render.commands.importer.selfcheck import self_check
from aigonix_render.foundation import UsageError


@dataclass(frozen=True)
class ImportOptions:
    tree: Path
    dumps: tuple[DumpSource, ...] = ()
    age_recipients: tuple[str, ...] = ()
    force: bool = False
    strict: bool = False
    from_cluster: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """``written`` is False when ``strict`` refused the report's warnings."""

    tree: Path
    files: tuple[str, ...]
    report: tuple[ReportLine, ...]
    written: bool = True

    @property
    def warnings(self) -> tuple[ReportLine, ...]:
        return report.warnings(self.report)

    def report_text(self) -> str:
        return report.as_text(self.report)


def import_dump(options: ImportOptions, environ: Mapping[str, str]) -> ImportResult:
    sources = list(options.dumps)
    if options.from_cluster:
        sources.append(read_cluster(options.from_cluster, options.context, environ))
    if not sources:
        raise UsageError(
            "give the files kubectl get wrote, - for standard input, or --from-cluster NAMESPACE"
        )
    tree = options.tree.absolute()
    config = target.check_target(tree, options.force)
    recognised = recognise(read_dumps(sources))
    draft = build(recognised)
    keys = _keys(draft, options.age_recipients, config)
    files = tree_files(draft, keys, write_config=config is None)
    staging = target.stage(tree, files)
    try:
        lines = report.ordered([*draft.lines, *_notes(draft), *self_check(staging, recognised, draft.lines)])
        if options.strict and report.warnings(lines):
            return ImportResult(options.tree, tuple(files), lines, written=False)
        target.swap(tree)
    finally:
        target.discard(tree)
    return ImportResult(options.tree, tuple(files), lines)


def _keys(draft: Draft, given: tuple[str, ...], config: bytes | None) -> Keys:
    environments = sorted(draft.customer["environments"])
    paths = secret_paths(draft)
    first = {
        env: (
            paths.get(env)
            or [
                f"applications/{draft.applications[0].folder}/microservices/x/environments/{env}/secrets.yaml"
            ]
        )[0]
        for env in environments
    }
    return choose_keys(
        environments, parse_recipients(given, environments), read_rules(config), first, _needs(draft, paths)
    )


def _needs(draft: Draft, paths: Mapping[str, list[str]]) -> dict[str, str]:
    """What each environment would encrypt, for the message that recipients are missing."""
    needs = {}
    for env in draft.customer["environments"]:
        parts = [f"{len(paths[env])} secrets files"] if env in paths else []
        parts += ["the acr pull secret"] if draft.registry is not None else []
        needs[env] = ", ".join(parts) or "the Customer file needs recipients for every environment"
    return needs


def _notes(draft: Draft) -> list[ReportLine]:
    """What the platform never kept in the cluster, so the import had to choose."""
    return [
        report.note(
            "aigonix.yaml",
            "the customer is named by its tenant label (spaces became _); another name changes every label",
            "name",
        ),
        report.note(
            "applications/*/aigonix.yaml",
            "tenant aliases are made from the tenant ids (the platform kept aliases outside the cluster)",
            "environments.*.tenants[*].alias",
        ),
    ]
