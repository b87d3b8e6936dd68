"""``aigonix-render import``: the objects the Aigonix platform made in an application
namespace (``kubectl get -o yaml``) → a tree that renders them back, secrets encrypted.

``run`` joins the stages, one module each: ``dump``, ``yaml_in`` and ``kubectl`` (YAML →
objects, bounded), ``shapes`` (the fields' types), ``recognise`` (whose objects), ``naming``
(the names that become folders), ``build`` with ``view``, ``workload``, ``configuration``,
``runtime_files``, ``routes``, ``horizons``, ``shared`` and ``merge`` (objects →
documents), ``secrets``, ``sops_config``, ``yaml_out`` and ``layout`` (documents → files, encrypted),
``selfcheck`` with ``compare`` and ``cluster`` (the render of the tree against the dump),
``target`` with ``lock`` (the atomic write); ``report`` and ``errors`` are what a run returns or raises.
"""

from __future__ import annotations

from aigonix_render.commands.importer.dump import DumpSource, read_source
from aigonix_render.commands.importer.errors import (
    ClusterError,
    DumpError,
    ImportBusy,
    ImportRefused,
    RecipientsMissing,
)
from aigonix_render.commands.importer.report import Level, ReportLine
from aigonix_render.commands.importer.run import ImportOptions, ImportResult, import_dump

__all__ = [
    "ClusterError",
    "DumpError",
    "DumpSource",
    "ImportBusy",
    "ImportOptions",
    "ImportRefused",
    "ImportResult",
    "Level",
    "RecipientsMissing",
    "ReportLine",
    "import_dump",
    "read_source",
]
