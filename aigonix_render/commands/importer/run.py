"""``import``: dumps → recognised objects → the tree in memory → encrypted files → staged
beside TREE → validated and rendered against the dump → moved into TREE.

Nothing reaches TREE unless every step succeeded, every change to the platform's objects
was accepted (``accept``) and, with ``strict``, the report has no warning,, and nothing stays anywhere when one failed. The shapes of the objects and the
names that become folders are checked before any object is read into the tree
(``shapes``, ``naming``). The report is returned as values; the caller prints it.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path

from aigonix_render.commands.importer import report, target
from aigonix_render.commands.importer.accept import refuse_unaccepted
from aigonix_render.commands.importer.build import Draft, build
from aigonix_render.commands.importer.dump import DumpSource, read_dumps
from aigonix_render.commands.importer.errors import ImportRefused
from aigonix_render.commands.importer.kubectl import read_cluster
from aigonix_render.commands.importer.layout import secret_paths, tree_files
from aigonix_render.commands.importer.naming import name_errors
from aigonix_render.commands.importer.recognise import Recognised, recognise
from aigonix_render.commands.importer.report import ReportLine
from aigonix_render.commands.importer.secrets import Keys, choose_keys, parse_recipients
from aigonix_render.commands.importer.selfcheck import self_check
from aigonix_render.commands.importer.shapes import shape_errors
from aigonix_render.commands.importer.sops_config import read_rules
from aigonix_render.foundation import UsageError, record


@record
class ImportOptions:
    tree: Path
    dumps: tuple[DumpSource, ...] = ()
    age_recipients: tuple[str, ...] = ()
    force: bool = False
    strict: bool = False
    from_cluster: str | None = None
    context: str | None = None
    accept: tuple[str, ...] = ()
    """The subjects (``Kind/name``, shell patterns) whose changes may be written."""
    accept_all: bool = False


@record
class ImportResult:
    """``written`` is False when a change was not accepted (the report's errors) or
    ``strict`` refused the report's warnings."""

    tree: Path
    files: tuple[str, ...]
    report: tuple[ReportLine, ...]
    written: bool = True

    @property
    def warnings(self) -> tuple[ReportLine, ...]:
        return report.warnings(self.report)

    @property
    def refused(self) -> tuple[ReportLine, ...]:
        """The changes not accepted, which kept the tree from being written."""
        return report.errors(self.report)

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
    with target.reserved(tree) as reservation:
        config = target.check_target(tree, options.force)
        recognised, draft = _read(sources)
        keys = _keys(draft, options.age_recipients, config)
        files = tree_files(draft, keys, write_config=config is None)
        with target.staged(tree, files) as staging:
            checked = self_check(staging, recognised, draft.lines)
            lines = report.ordered([*draft.lines, *_notes(draft), *checked])
            lines = report.ordered(refuse_unaccepted(lines, options.accept, options.accept_all))
            if report.errors(lines) or (options.strict and report.warnings(lines)):
                return ImportResult(options.tree, tuple(files), lines, written=False)
            target.swap(tree, staging)
            reservation.keep()
    return ImportResult(options.tree, tuple(files), lines)


def _read(sources: list[DumpSource]) -> tuple[Recognised, Draft]:
    """The dump's objects → the tree in memory; a field of a type kubectl never writes or a
    name the tree refuses stops it here, with error lines naming the objects."""
    objects = read_dumps(sources)
    errors = shape_errors(objects)
    if errors:
        raise ImportRefused(errors)
    try:
        recognised = recognise(objects)
        errors = name_errors(recognised)
        if errors:
            raise ImportRefused(errors)
        return recognised, build(recognised)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as error:
        raise ImportRefused([_unexpected(sources, error)]) from None


def _unexpected(sources: list[DumpSource], error: Exception) -> ReportLine:
    """A shape ``shapes`` does not list yet: the dump named, and where the reading stopped
    (never the error's own words, which may quote a value)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    message = f"a field of a type kubectl never writes stopped the import ({type(error).__name__} in {where})"
    return report.error(", ".join(s.name for s in sources), message)


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
