"""Positions from libyaml's marks equal ruamel's, which were the reference before them.

Every problem of every invalid case and of the hostile trees is reported at the same
place with the marks and with ruamel alone (``libyaml_marks=False``), and every node of
every document in those trees is located the same both ways.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BASE, CASES, SAMPLE, build_case, node_paths
from hostile import hostile_tree
from test_hostile_input import BOMBS, NESTINGS, WEB

from aigonix_render.foundation import replace
from aigonix_render.foundation.problems import Problem, sort_problems
from aigonix_render.load import Tree, load_tree
from aigonix_render.load.documents import Document, read_document
from aigonix_render.validate.schema import validate_tree


def problems(tree: Path, libyaml_marks: bool) -> list[Problem]:
    loaded, found = load_tree(tree, libyaml_marks=libyaml_marks)
    return sort_problems([*found, *validate_tree(loaded)])


def documents(tree: Tree) -> Iterator[Document]:
    found = [tree.customer, tree.registry]
    for app in tree.applications:
        found.append(app.document)
        for ms in app.microservices:
            found += [ms.document, *ms.secrets.values()]
    yield from (d for d in found if d is not None)


def assert_located_alike(document: Document) -> int:
    """Every path located the same from the marks and from ruamel; how many were compared."""
    assert document.marks is not None, document.path
    careful = replace(document, marks=None)
    count = 0
    for path in node_paths(document.data, absent=True):
        for at_key in (False, True):
            assert document.position(path, at_key) == careful.position(path, at_key), (document.path, path)
            count += 1
    return count


def assert_same_problems(tree: Path) -> list[Problem]:
    fast = problems(tree, libyaml_marks=True)
    assert fast == problems(tree, libyaml_marks=False)
    return fast


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_problem_of_an_invalid_case_is_where_ruamel_puts_it(case: Path, tmp_path: Path) -> None:
    assert_same_problems(build_case(case, tmp_path / "tree"))


def test_the_cases_report_positions_beyond_the_first_line(tmp_path: Path) -> None:
    """The comparison above is no vacuous one: most cases point inside a file."""
    inside = [
        case.name
        for case in CASES
        if any(p.line > 1 for p in problems(build_case(case, tmp_path / case.name), libyaml_marks=True))
    ]
    assert len(inside) > len(CASES) // 2


def test_the_hostile_tree_reports_the_same_positions(tmp_path: Path) -> None:
    tree, _ = hostile_tree(tmp_path)
    assert_same_problems(tree)
    loaded, _ = load_tree(tree)
    assert sum(assert_located_alike(d) for d in documents(loaded)) > 1000


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_alias_bombs_are_reported_at_the_same_place(kind: str, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree)
    web = tree / WEB
    web.write_text(BOMBS[kind](web.read_text()))
    assert any(p.file == WEB for p in assert_same_problems(tree))


@pytest.mark.parametrize("kind", sorted(NESTINGS))
def test_deep_nesting_is_reported_at_the_same_place(kind: str, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree)
    web = tree / WEB
    web.write_text(web.read_text() + "nested: " + "[" * 70 + "]" * 70 + "\n")
    assert any(p.file == WEB for p in assert_same_problems(tree))


@pytest.mark.parametrize("root", [BASE, SAMPLE], ids=["base", "sample-repo"])
def test_every_node_of_the_valid_trees_is_located_alike(root: Path) -> None:
    loaded, found = load_tree(root)
    assert not found
    assert sum(assert_located_alike(d) for d in documents(loaded)) > 500


# Styles the scanner treats differently: each must give the same marks in both readers.
STYLES = {
    "flow": "apiVersion: v1\nkind: {a: [1, 2, {b: c}], 'q': \"d\"}\nlist: [ x , y ,z]\n",
    "block scalars": "a: |\n  line\n  two\nb: >-\n  folded\n  text\nc: end\n",
    "indentless": "a:\n- 1\n- - 2\n  - 3\n- {k: v}\nb:\n  - x\n  -\n    y: z\n",
    "empty values": "a:\nb: ~\nc:\n  d:\n  e: ''\nf: end\n",
    "anchors": "base: &b {x: 1, y: [2, &s 3]}\nuse: *b\nmore: [*b, *s, &n null]\nlast: *n\n",
    "comments": "# head\n\n---\na: 1 # one\n# between\nb:   # after key\n  c: 2\n...\n",
    "multi-line plain": 'a: this is\n  one value\n  on lines\nb: "quoted\n  over lines"\n',
    "quoted keys": "'a b': 1\n\"c\\td\": 2\n? e\n: 3\n",
    "crlf": "a: 1\r\nb:\r\n  - x\r\n  - y: z\r\n",
    "unicode": "ünï: 日本語\nemoji: 😀 x\nafter: [😀, é, {ü: ö}]\n",
    "directives": "%YAML 1.2\n---\na: !!str 12\nb: !!int '7'\n",
    "next-line values": "a:\n  value\nb:\n\n  # note\n  [1, 2]\nc: !!map\n  d: !!seq\n  - e\n",
    "left-out values": "a: {b: , c}\nd:\n- \n-\n- x\ne: # nothing\nf: &x\ng: *x\n",
    "deep indent": "a:\n        b:\n                  c: [1,\n                    2]\n",
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_every_yaml_style_is_located_alike(name: str, tmp_path: Path) -> None:
    (tmp_path / "doc.yaml").write_bytes(STYLES[name].encode("utf-8"))
    document = read_document(tmp_path, Path("doc.yaml"))
    assert isinstance(document, Document), document
    assert assert_located_alike(document) > 6


def test_where_only_libyaml_reads_a_file_the_marks_answer(tmp_path: Path) -> None:
    """Tabs as separators are YAML 1.2 libyaml reads and ruamel refuses: ruamel put every
    problem of such a file at 1:1, the marks put it where it is."""
    (tmp_path / "doc.yaml").write_text("a: 1\nb:\t[x, y]\n")
    document = read_document(tmp_path, Path("doc.yaml"))
    assert isinstance(document, Document), document
    assert document.position(["b", 1]) == (2, 8)
    assert replace(document, marks=None).position(["b", 1]) == (1, 1)
