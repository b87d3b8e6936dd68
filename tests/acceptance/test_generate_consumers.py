"""``generate`` finds every consumer of its target however its manifest spells the event horizon.

``load.select`` reads the other applications' microservice manifests as bytes and parses
only those whose bytes could name the target (``may_subscribe``): the name and the key
``eventHorizons`` as written, or a backslash (a double-quoted scalar's escapes can spell
either without its bytes). Here the consumer ``cons/sink`` of the tree of
``test_generate_scale`` names ``tgt`` in every YAML spelling: plain, quoted, flow style, a
block scalar, a tag, an anchor and alias, escapes, an escaped line break, an escaped key,
and in an environment's override (which the schema refuses later: the selection reads any
shape). Each time, ``tgt``'s selection loads ``cons`` (and ``far``, which
``cons`` consumes), the same as when the consumer is written plainly; and ``generate``
gives the same bytes as from the model of the whole tree.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from test_generate_scale import PARTITION, guid, whole_tree_generate, write_tree

from aigonix_render.commands.generate import Target, generate
from aigonix_render.load import load_tree
from aigonix_render.load.select import manifest_bytes, may_subscribe

SINK = "applications/cons/microservices/sink/aigonix.yaml"
HEAD = f"""apiVersion: aigonix.io/v1
kind: Microservice
name: Sink
id: {guid(104)}
head:
  image: testcustomer.azurecr.io/sink:1.0.0
  probes: {{liveness: {{path: /healthz}}, readiness: {{path: /ready}}}}
runtime:
  image: dolittle/runtime:9.3.3
  publicStreams: []
"""
FAR = f"""  - producer: {{application: far, microservice: Origin}}
    stream: {guid(203)}
    partition: {PARTITION}
    scope: {guid(703)}
"""
TGT = f"""    stream: {guid(202)}
    partition: {PARTITION}
    scope: {guid(702)}
"""


def horizons(producer: str) -> str:
    """The event horizons with ``producer`` (the lines after ``- ``) for tgt's."""
    return f"eventHorizons:\n{FAR}  - {producer}\n{TGT}"


SPELLINGS = {
    "plain": horizons("producer: {application: tgt, microservice: Source}"),
    "double-quoted": horizons('producer: {application: "tgt", microservice: Source}'),
    "single-quoted": horizons("producer: {application: 'tgt', microservice: Source}"),
    "block": horizons("producer:\n      application: tgt\n      microservice: Source"),
    "block-scalar": horizons("producer:\n      application: >-\n        tgt\n      microservice: Source"),
    "tagged": horizons("producer: {application: !!str tgt, microservice: Source}"),
    "flow": (
        f"eventHorizons: [{{producer: {{application: far, microservice: Origin}}, stream: '{guid(203)}', "
        f"partition: '{PARTITION}', scope: '{guid(703)}'}}, {{producer: {{application: tgt, "
        f"microservice: Source}}, stream: '{guid(202)}', partition: '{PARTITION}', scope: '{guid(702)}'}}]\n"
    ),
    "anchor-and-alias": "env:\n  PEER: &producer tgt\n"
    + horizons("producer: {application: *producer, microservice: Source}"),
    "environment-override": (
        f"eventHorizons:\n{FAR}environments:\n  Dev:\n    eventHorizons:\n"
        + "".join(f"    {line}\n" for line in FAR.splitlines())
        + f"      - producer: {{application: tgt, microservice: Source}}\n"
        f"        stream: {guid(202)}\n        partition: {PARTITION}\n        scope: {guid(702)}\n"
    ),
    "escapes": horizons('producer: {application: "\\x74\\u0067t", microservice: Source}'),
    "escaped-line-break": horizons('producer: {application: "t\\\n        gt", microservice: Source}'),
    "escaped-key": horizons("producer: {application: tgt, microservice: Source}").replace(
        "eventHorizons:", '"event\\x48orizons":'
    ),
}


def selected(root: Path, name: str) -> list[str]:
    tree, _ = load_tree(root, application=name)
    return [app.folder for app in tree.applications]


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_consumer_is_found_however_it_is_spelled(spelling: str, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tree")
    text = HEAD + SPELLINGS[spelling]
    (root / SINK).write_text(text)
    expected = ["applications/cons", "applications/far", "applications/prod", "applications/tgt"]
    assert selected(root, "tgt") == expected
    if "tgt" not in text or "eventHorizons" not in text:
        assert "\\" in text  # the spellings that hide the name or the key escape it


@pytest.mark.parametrize("spelling", ["double-quoted", "flow", "escapes", "anchor-and-alias"])
def test_generate_with_a_consumer_so_spelled_is_generate_from_the_whole_tree(
    spelling: str, tmp_path: Path, both_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "tree")
    (root / SINK).write_text(HEAD + SPELLINGS[spelling])
    environ = {"SOPS_AGE_KEY_FILE": str(both_keys)}
    selective = generate(root, Target("tgt", "Prod"), environ)
    assert selective == whole_tree_generate(root, Target("tgt", "Prod"), environ, monkeypatch)
    assert guid(104) in selective  # cons/Sink in Source's consents


def test_a_manifest_that_names_the_target_elsewhere_or_not_at_all_is_no_consumer(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tree")
    plain = HEAD + f"eventHorizons:\n{FAR}"
    (root / SINK).write_text(plain + "# once subscribed to tgt\n")
    assert selected(root, "tgt") == ["applications/prod", "applications/tgt"]


@pytest.mark.parametrize(
    ("raw", "name", "may"),
    [
        (b"eventHorizons: [{producer: {application: tgt}}]", b"tgt", True),
        (b"eventHorizons: [{producer: {application: other}}]", b"tgt", False),
        (b"env: {PEER: tgt}", b"tgt", False),  # the name, but no event horizon
        (b"eventHorizons: []\nenv: {A: '\\n'}", b"tgt", True),  # a backslash: parsed
        (b"", b"tgt", False),
        (None, b"tgt", False),  # nothing read
        (b"eventHorizons: []", b"my app", True),  # a space: a folded line could hide it
        (b"eventHorizons: []", "t\u00e9l\u00e9".encode(), True),
        (b"eventHorizons: []", b"", True),
    ],
)
def test_may_subscribe(raw: bytes | None, name: bytes, may: bool) -> None:
    assert may_subscribe(raw, name) is may


def test_manifest_bytes_reads_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"kind: Microservice\n")
    os.mkfifo(tmp_path / "fifo")  # read, it would block until a writer comes
    (tmp_path / "link").symlink_to(tmp_path / "file")
    results: list[bytes | None] = []
    reader = threading.Thread(
        target=lambda: results.extend(
            manifest_bytes(str(tmp_path / n)) for n in ("file", "fifo", "link", "none")
        )
    )
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive()
    assert results == [b"kind: Microservice\n", None, b"kind: Microservice\n", None]
