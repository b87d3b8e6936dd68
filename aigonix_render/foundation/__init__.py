"""The foundations every stage stands on; this package imports no stage.

It takes nothing and returns nothing: it holds the facts and the small values the stages
share, each in one home. ``errors`` (the exceptions that reach the one error boundary in
``cli`` and their exit codes), ``problems`` (a problem is a value: severity, file, line,
column, message), ``names`` (every Kubernetes name the platform gives an object),
``platform`` (the platform's fixed facts: ports, ingress classes, legacy tenants),
``yaml_text`` and ``fast_yaml`` (writing and reading YAML text), ``age_keys`` (age
recipients and identities), ``schema_files`` (the JSON Schemas of the three kinds),
``caches`` (the user's cache folders, safely theirs), ``output`` (``OutputFile``, one
rendered file), ``records`` (immutable value classes, cheap to define) and ``atomic`` (the
one way a file is replaced on disk), ``locks`` (one writer at a time in a folder),
``ignored`` (what git ignores), ``forked`` (a large job's two halves on two cores). What it
offers is re-exported here, lazily (``lazy``): a name's module
is imported when the name is first used, so a command pays for no module it does not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aigonix_render.foundation.lazy import lazy_exports

if TYPE_CHECKING:
    from aigonix_render.foundation.age_keys import AGE_RECIPIENT, TREE_KEY_FILE
    from aigonix_render.foundation.atomic import fsync_dir, replace_file
    from aigonix_render.foundation.caches import (
        NO_CACHE,
        cache_place,
        owned_by_user,
        read_entry,
        user_cache,
        write_entry,
    )
    from aigonix_render.foundation.errors import (
        EXIT_INTERNAL,
        EXIT_INTERRUPTED,
        EXIT_INVALID,
        EXIT_OK,
        EXIT_OUTSIDE,
        EXIT_USAGE,
        AigonixError,
        InvalidInput,
        OutputError,
        SopsError,
        UsageError,
    )
    from aigonix_render.foundation.forked import (
        FILES_PER_UNIT,
        ahead,
        both,
        if_first,
        in_two,
        split_at,
        worth_forking,
    )
    from aigonix_render.foundation.ignored import Ignored, Question, ask, git_ignored
    from aigonix_render.foundation.locks import folder_lock
    from aigonix_render.foundation.output import OutputFile
    from aigonix_render.foundation.platform import (
        DEFAULT_CLUSTER_ISSUER,
        DEFAULT_INGRESS_CLASS,
        GATEWAY,
        INGRESS_NGINX,
        LEGACY_TENANT,
        RUNTIME_PORTS,
    )
    from aigonix_render.foundation.problems import Problem, Severity, has_errors, printable, sort_problems
    from aigonix_render.foundation.records import record, replace
    from aigonix_render.foundation.schema_files import KINDS, load_schema, package_folder, schema_text
    from aigonix_render.foundation.tree_files import (
        APPLICATIONS,
        KAFKA_FILES,
        MANIFEST,
        SECRETS,
        STORAGE_ACCOUNT,
        known_manifest_place,
        manifest_folders,
        tree_relative,
        unpublished,
    )
    from aigonix_render.foundation.whole_files import OPEN_REGULAR, read_open, read_regular
    from aigonix_render.foundation.yaml_text import key, quoted, scalar

HOMES = {
    "age_keys": ("AGE_RECIPIENT", "TREE_KEY_FILE"),
    "atomic": ("fsync_dir", "replace_file"),
    "locks": ("folder_lock",),
    "ignored": ("Ignored", "Question", "ask", "git_ignored"),
    "forked": ("FILES_PER_UNIT", "ahead", "both", "if_first", "in_two", "split_at", "worth_forking"),
    "caches": ("NO_CACHE", "cache_place", "owned_by_user", "read_entry", "user_cache", "write_entry"),
    "errors": (
        "EXIT_INTERNAL",
        "EXIT_INTERRUPTED",
        "EXIT_INVALID",
        "EXIT_OK",
        "EXIT_OUTSIDE",
        "EXIT_USAGE",
        "AigonixError",
        "InvalidInput",
        "OutputError",
        "SopsError",
        "UsageError",
    ),
    "lazy": ("lazy_exports",),
    "output": ("OutputFile",),
    "platform": (
        "DEFAULT_CLUSTER_ISSUER",
        "DEFAULT_INGRESS_CLASS",
        "GATEWAY",
        "INGRESS_NGINX",
        "LEGACY_TENANT",
        "RUNTIME_PORTS",
    ),
    "problems": ("Problem", "Severity", "has_errors", "printable", "sort_problems"),
    "records": ("record", "replace"),
    "schema_files": ("KINDS", "load_schema", "package_folder", "schema_text"),
    "tree_files": (
        "APPLICATIONS",
        "KAFKA_FILES",
        "MANIFEST",
        "SECRETS",
        "STORAGE_ACCOUNT",
        "known_manifest_place",
        "manifest_folders",
        "tree_relative",
        "unpublished",
    ),
    "whole_files": ("OPEN_REGULAR", "read_open", "read_regular"),
    "yaml_text": ("key", "quoted", "scalar"),
}
__getattr__ = lazy_exports(__name__, HOMES)

__all__ = [
    "AGE_RECIPIENT",
    "APPLICATIONS",
    "DEFAULT_CLUSTER_ISSUER",
    "DEFAULT_INGRESS_CLASS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_OUTSIDE",
    "EXIT_USAGE",
    "FILES_PER_UNIT",
    "GATEWAY",
    "INGRESS_NGINX",
    "KAFKA_FILES",
    "KINDS",
    "LEGACY_TENANT",
    "MANIFEST",
    "NO_CACHE",
    "OPEN_REGULAR",
    "RUNTIME_PORTS",
    "SECRETS",
    "STORAGE_ACCOUNT",
    "TREE_KEY_FILE",
    "AigonixError",
    "Ignored",
    "InvalidInput",
    "OutputError",
    "OutputFile",
    "Problem",
    "Question",
    "Severity",
    "SopsError",
    "UsageError",
    "ahead",
    "ask",
    "both",
    "cache_place",
    "folder_lock",
    "fsync_dir",
    "git_ignored",
    "has_errors",
    "if_first",
    "in_two",
    "key",
    "known_manifest_place",
    "lazy_exports",
    "load_schema",
    "manifest_folders",
    "owned_by_user",
    "package_folder",
    "printable",
    "quoted",
    "read_entry",
    "read_open",
    "read_regular",
    "record",
    "replace",
    "replace_file",
    "scalar",
    "schema_text",
    "sort_problems",
    "split_at",
    "tree_relative",
    "unpublished",
    "user_cache",
    "worth_forking",
    "write_entry",
]
