"""``set image`` / ``set env`` under pressure: nothing copied into the temp folder, values
shared through YAML anchors refused, concurrent edits all kept, FIFOs and sockets in the tree
never a hang or a traceback. Each runs the real command as a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BASE, Run, snapshot

from aigonix_render.commands.tree_lock import TreeBusy, tree_lock

WEB_FOLDER = "applications/shop/microservices/web"
WEB = f"{WEB_FOLDER}/aigonix.yaml"
BUMPED = "testcustomer.azurecr.io/web:1.0.1"
KEY_TEXT = "AGE-SECRET-KEY-1CANARYCANARYCANARYCANARYCANARYCANARYCANARYCANARYCANARYCAN"
TIMEOUT = 60


def run_set(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """``aigonix-render set ...`` as a process; a hang fails the test instead of blocking it."""
    argv = [sys.executable, "-m", "aigonix_render", "set", *(str(a) for a in args)]
    result = subprocess.run(
        argv, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=TIMEOUT, check=False
    )
    return Run(result.returncode, result.stdout, result.stderr)


def web(tree: Path) -> str:
    return (tree / WEB).read_text()


# 1. Nothing is copied, nothing is written but the edited file.

AUDITED = """\
import os, sys
log = open(sys.argv[1], "w", buffering=1)
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path, mode, flags = args
        writes = (isinstance(mode, str) and mode[0] in "wax+") or (flags or 0) & WRITE
        log.write(("write " if writes else "read ") + os.fsdecode(path) + "\\n")
    elif event == "os.rename":
        log.write(f"rename {os.fsdecode(args[0])} {os.fsdecode(args[1])}\\n")
    elif event.startswith(("shutil.", "tempfile.", "os.mkdir", "os.symlink")):
        log.write(f"{event} {args}\\n")
sys.addaudithook(hook)
sys.argv = ["aigonix-render", *sys.argv[2:]]
from aigonix_render.cli import main
main()
"""


def test_set_copies_nothing_and_writes_only_the_edited_file(base_tree: Path, tmp_path: Path) -> None:
    key = base_tree / "age.agekey"
    key.write_text(f"# a git-ignored key beside the tree\n{KEY_TEXT}\n")
    temp = tmp_path / "temp"
    temp.mkdir()
    log = tmp_path / "events.log"
    argv = [sys.executable, "-c", AUDITED, log, "set", "image", "web", BUMPED, base_tree]
    environment = {**os.environ, "TMPDIR": str(temp), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, env=environment, timeout=TIMEOUT, check=False
    )
    assert (result.returncode, result.stderr) == (0, ""), result
    assert BUMPED in web(base_tree)
    assert list(temp.iterdir()) == []
    events = log.read_text().splitlines()
    assert [e for e in events if str(key) in e or str(temp) in e] == []  # the key is never even read
    folder = os.path.realpath(base_tree / WEB_FOLDER)
    temporary = f"{folder}/.aigonix.yaml."
    # no copy, no temp folder (git, asked which files it ignores, gets /dev/null for its stderr)
    changes = [e for e in events if not e.startswith("read ") and e != f"write {os.devnull}"]
    assert len(changes) == 2, changes  # the temporary file beside aigonix.yaml, renamed over it
    assert changes[0].startswith(f"write {temporary}"), changes
    assert changes[1] == f"rename {changes[0].removeprefix('write ')} {folder}/aigonix.yaml"
    assert sorted(os.listdir(base_tree / WEB_FOLDER)) == ["aigonix.yaml"]


# 2. A value shared through an anchor is never edited in place.

ANCHORED = """\
apiVersion: aigonix.io/v1
kind: Microservice
name: Web
id: 55555555-5555-4555-8555-555555555555
head:
  image: testcustomer.azurecr.io/web:1.0.0
  probes: {liveness: {path: /healthz}, readiness: {path: /ready}}
ingress:
  path: /
environments:
"""

ALIAS_MESSAGE = (
    "aigonix-render: error: {WEB}:{at}: environments.{env}.head is the value of the YAML anchor &h: "
    "it is shared by every place that refers to the anchor (*h), so setting it would change them "
    "all; edit it there by hand, or replace the alias by a mapping of its own\n"
)
MERGE_MESSAGE = (
    "aigonix-render: error: {WEB}:{at}: environments.Prod.{key} comes from the merge key "
    "'<<: *base', from the YAML anchor &base: it is shared by every place that merges it, so "
    "setting it would change them all; edit it there by hand, or replace the merge by a mapping "
    "of its own\n"
)


@pytest.mark.parametrize(
    ("overrides", "args", "message"),
    [
        (  # the alias on the path: Dev would change too
            "  Dev:\n    head: &h {image: testcustomer.azurecr.io/web:1.0.0}\n  Prod:\n    head: *h\n",
            ["image", "web", BUMPED, "--env", "Prod"],
            ALIAS_MESSAGE.format(WEB=WEB, at="12:11", env="Prod"),
        ),
        (  # the anchored value itself, while an alias refers to it: Prod would change too
            "  Dev:\n    head: &h\n      image: testcustomer.azurecr.io/web:1.0.0\n  Prod:\n    head: *h\n",
            ["image", "web", BUMPED, "--env", "Dev"],
            ALIAS_MESSAGE.format(WEB=WEB, at="12:11", env="Dev"),
        ),
        (  # a merge key lends Prod its head
            "  Dev: &base\n    head: {image: testcustomer.azurecr.io/web:1.0.0}\n"
            "  Prod:\n    <<: *base\n    replicas: 2\n",
            ["image", "web", BUMPED, "--env", "Prod"],
            MERGE_MESSAGE.format(WEB=WEB, at="11:8", key="head"),
        ),
        (  # a list of merges, the value from the second
            "  Dev: &dev {replicas: 1}\n  Test: &base\n    env: {A: a}\n  Prod:\n    <<: [*dev, *base]\n",
            ["env", "web", "A=b", "--env", "Prod"],
            MERGE_MESSAGE.format(WEB=WEB, at="12:9", key="env"),
        ),
    ],
)
def test_a_value_shared_through_an_anchor_is_refused(
    base_tree: Path, overrides: str, args: list[str], message: str
) -> None:
    (base_tree / WEB).write_text(ANCHORED + overrides)
    before = snapshot(base_tree)
    result = run_set(*args, base_tree)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message), result
    assert snapshot(base_tree) == before


def test_an_anchor_nothing_refers_to_and_a_key_after_an_alias_are_edited(base_tree: Path) -> None:
    overrides = "  Dev:\n    head: &h {image: testcustomer.azurecr.io/web:1.0.0}\n  Prod: &p\n    head: *h\n"
    (base_tree / WEB).write_text(ANCHORED + overrides)
    result = run_set("env", "web", "A=b", "--env", "Prod", base_tree)
    assert result.exit_code == 0, result
    assert web(base_tree) == ANCHORED + overrides + "    env:\n      A: b\n"


# 3. Concurrent edits of one file are all kept.


def test_eight_concurrent_sets_on_one_file_all_keep_their_edit(base_tree: Path) -> None:
    argv = [sys.executable, "-m", "aigonix_render", "set", "env", "web"]
    processes = [
        subprocess.Popen(
            [*argv, f"CONCURRENT_{i}=value-{i}", str(base_tree)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    outcomes = [(p.wait(timeout=TIMEOUT), p.communicate()) for p in processes]
    assert [code for code, _ in outcomes] == [0] * 8, outcomes
    text = web(base_tree)
    assert [i for i in range(8) if f"  CONCURRENT_{i}: value-{i}\n" not in text] == []


def test_a_set_waits_for_the_lock_and_reports_a_holder_that_never_ends(base_tree: Path) -> None:
    with tree_lock(base_tree), pytest.raises(TreeBusy) as raised, tree_lock(base_tree, wait=0.2):
        pass
    assert str(raised.value) == (
        f"another aigonix-render set has been editing {base_tree} for 0.2 s; try again when it has finished"
    )
    assert raised.value.exit_code == 3
    with tree_lock(base_tree, wait=0.2):  # released by the first holder
        pass


# 4. FIFOs and sockets anywhere in the tree: one answer, never a hang or a traceback.


def bind_socket(path: Path) -> None:
    """A unix socket at ``path`` (bound from its folder: socket paths are short)."""
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(path.name)
    finally:
        os.chdir(here)


REFUSED = "{relative}:1:1: error: not a regular file\naigonix-render: the tree does not validate (1 error)\n"
DONE = f"{WEB}: head.image 'testcustomer.azurecr.io/web:1.0.0' -> '{BUMPED}'\n"


@pytest.mark.parametrize("make", [os.mkfifo, bind_socket], ids=["fifo", "socket"])
@pytest.mark.parametrize(
    ("relative", "refused"),
    [
        (f"{WEB_FOLDER}/files/special", True),  # a config file: read, so refused
        (f"{WEB_FOLDER}/environments/Prod/files/special", True),
        ("special", False),  # beside the root's aigonix.yaml: no input, never opened
        ("aigonix.yaml", True),  # the root's manifest itself
        (WEB, True),  # the edited manifest itself: no "no microservice 'web'"
    ],
)
def test_a_fifo_or_socket_in_the_tree_is_one_answer(
    base_tree: Path, make: Callable[[Path], None], relative: str, refused: bool
) -> None:
    (base_tree / relative).parent.mkdir(parents=True, exist_ok=True)
    before = (base_tree / WEB).read_bytes()
    (base_tree / relative).unlink(missing_ok=True)
    make(base_tree / relative)
    result = run_set("image", "web", BUMPED, base_tree)
    if refused:
        assert (result.exit_code, result.stdout) == (1, ""), result
        assert result.stderr == REFUSED.format(relative=relative), result
        if relative != WEB:
            assert (base_tree / WEB).read_bytes() == before
    else:
        assert (result.exit_code, result.stdout, result.stderr) == (0, DONE, ""), result
        assert web(base_tree) == (BASE / WEB).read_text().replace("web:1.0.0", "web:1.0.1")
