"""Rendering and checking on two cores (``foundation.forked``): the same files, the same
problems in the same order as one process, and nothing lost when the child fails."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLE

from aigonix_render.check import check_rendering
from aigonix_render.commands.valid import valid_model
from aigonix_render.foundation import ahead, forked, if_first, in_two
from aigonix_render.load import Tree, load_tree
from aigonix_render.render import Templates, render_model

PARENT = os.getpid()


def test_both_halves_in_order() -> None:
    assert in_two(lambda: os.getpid(), lambda: os.getpid()) != (PARENT, PARENT)
    assert in_two(lambda: "first", lambda: ["second", {"n": 2}]) == ("first", ["second", {"n": 2}])


def test_the_childs_exception_is_raised_here() -> None:
    def second() -> None:
        raise ValueError("in the child")

    with pytest.raises(ValueError, match=r"^in the child$"):
        in_two(lambda: 1, second)


def test_the_parents_exception_ends_the_child(forks: list[int]) -> None:
    def first() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        in_two(first, lambda: 2)
    assert_reaped(forks)


def assert_reaped(children: list[int]) -> None:
    """Each child was killed or ended, and reaped: none is left behind."""
    assert children
    for child in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(child, os.WNOHANG)


def test_a_child_that_dies_has_its_half_computed_here() -> None:
    def second() -> int:
        if os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)
        return os.getpid()

    assert in_two(lambda: 1, second) == (1, PARENT)


def test_an_exception_that_does_not_pickle_is_raised_here() -> None:
    class Local(Exception):  # a local class does not pickle
        pass

    def second() -> None:
        raise Local("here")

    with pytest.raises(Local, match=r"^here$"):
        in_two(lambda: 1, second)


def test_the_second_half_is_kept_only_if_the_first_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """``if_first``: the child's answer when the first half is true; when it is false, the
    child is killed at once: it never finishes (it would leave a file behind)."""
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    assert if_first(1, lambda: True, lambda: os.getpid()) not in (None, PARENT)
    finished = tmp_path / "finished"

    def slow() -> int:
        time.sleep(2)
        finished.write_text("the child finished\n")
        return 2

    assert if_first(1, lambda: False, slow) is None
    assert_reaped(forks[1:])
    assert not finished.exists()
    with pytest.raises(KeyboardInterrupt):
        if_first(1, _interrupted, slow)
    assert_reaped(forks[2:])
    assert len(forks) == 3
    assert if_first(forked.FORK_FROM - 1, lambda: True, lambda: os.getpid()) == PARENT
    called: list[str] = []

    def first() -> bool:
        called.append("first")
        return False

    assert if_first(forked.FORK_FROM - 1, first, lambda: called.append("second")) is None
    assert (len(forks), called) == (3, ["first"])  # a small job: here, and only if the first says so


def test_work_ahead_is_the_childs_and_is_ended_when_not_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """``ahead``: the child's result, asked for after other work here; a child never asked
    is killed and reaped when the block is left (it would leave a file behind); an
    exception here ends it too; a small job starts no child."""
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    with ahead(1, lambda: os.getpid()) as result:
        assert result is not None
        assert result() not in (None, PARENT)
        assert result() == result()  # asked again: the same, no second child
    assert_reaped(forks)
    finished = tmp_path / "finished"

    def slow() -> int:
        time.sleep(2)
        finished.write_text("the child finished\n")
        return 2

    with ahead(1, slow) as result:
        assert result is not None
    assert_reaped(forks[1:])
    with pytest.raises(KeyboardInterrupt), ahead(1, slow):
        raise KeyboardInterrupt
    assert_reaped(forks[2:])
    assert not finished.exists()
    with ahead(forked.FORK_FROM - 1, slow) as result:
        assert result is None
    assert len(forks) == 3

    def fails() -> None:
        raise ValueError("in the child")

    with ahead(1, fails) as failing:
        assert failing is not None
        for _ in range(2):  # asked twice: the same exception, no second wait
            with pytest.raises(ValueError, match=r"^in the child$"):
                failing()
    with ahead(1, slow) as late:
        pass
    assert late is not None
    with pytest.raises(RuntimeError, match="ended"):
        late()  # asked after the block: its child is gone
    assert_reaped(forks[3:])


CTRL_C_AFTER_FORK = """
import os, signal, sys, time
from aigonix_render.foundation import in_two
real_fork, children = os.fork, []
def fork_then_ctrl_c():
    child = real_fork()
    if child:
        children.append(child)
        os.kill(os.getpid(), signal.SIGINT)
    return child
before = sorted(os.listdir("/proc/self/fd"))
os.fork = fork_then_ctrl_c
try:
    in_two(lambda: 1, lambda: time.sleep(30))
except KeyboardInterrupt:
    print("interrupted")
try:
    os.waitpid(children[0], os.WNOHANG)
    print("a child is left")
except ChildProcessError:
    print("reaped")
print("closed" if sorted(os.listdir("/proc/self/fd")) == before else "descriptors left")
"""


def test_a_ctrl_c_right_after_the_fork_ends_the_child() -> None:
    """Ctrl-C landing just as the fork returns (simulated: the parent sends itself SIGINT
    there) is held back until the child is known: the child is killed and reaped, and the
    pipe is closed. In a process of its own: the command line has one thread when it
    forks, and a signal mask is the calling thread's (pytest-xdist's workers have more)."""
    if not forked._enabled:
        pytest.skip("forks on Linux only")
    argv = [sys.executable, "-c", CTRL_C_AFTER_FORK]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    assert (result.stdout, result.stderr) == ("interrupted\nreaped\nclosed\n", "")


def _interrupted() -> bool:
    raise KeyboardInterrupt


def test_small_jobs_stay_in_one_process() -> None:
    assert not forked.worth_forking(forked.FORK_FROM - 1)
    assert forked.worth_forking(forked.FORK_FROM) == forked._enabled


def test_the_sample_renders_and_checks_the_same_on_two_cores(
    monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    """The same files and problems whether render and check fork or not (each does here)."""
    valid = valid_model(SAMPLE, strict=False)
    one = render_model(valid.model, Templates())
    checked = check_rendering(one, valid.model, valid.tree)
    assert forks == []  # the sample is below FORK_FROM
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    two = render_model(valid.model, Templates())
    assert len(forks) == 1
    assert two == one
    assert check_rendering(two, valid.model, valid.tree) == checked
    assert len(forks) == 2


def _documents(tree: Tree) -> list[tuple[str, object, str]]:
    """What a load gave: every document by path, data and text, and every config file."""
    found: list[tuple[str, object, str]] = []
    for app in tree.applications:
        sealed = [app.storage_account, *app.kafka_files.values()]
        found += [(d.path, d.data, d.source) for d in [app.document, *sealed] if d is not None]
        for ms in app.microservices:
            documents = [ms.document, *ms.secrets.values()]
            found += [(d.path, d.data, d.source) for d in documents]
            files = [*ms.files, *(f for env in ms.environment_files.values() for f in env)]
            found += [(f.path, f.content, f.name) for f in files]
    return found


def test_a_large_tree_loads_the_same_on_two_cores(
    monkeypatch: pytest.MonkeyPatch, forks: list[int], tmp_path: Path
) -> None:
    """The applications read by a forked child (one fork, counted) are those one process
    reads, in its order, and so are the problems met, one in each half among them."""
    tree = shutil.copytree(SAMPLE, tmp_path / "tree")
    apps = sorted(p for p in (tree / "applications").iterdir() if p.is_dir())
    assert len(apps) >= 2  # one in each half
    for app in apps:
        (app / "microservices" / "broken").mkdir()
        (app / "microservices" / "broken" / "aigonix.yaml").write_text("kind: [\n", encoding="utf-8")
    one, one_problems = load_tree(tree)
    assert forks == []
    monkeypatch.setattr(forked, "FORK_FROM", 1)
    two, two_problems = load_tree(tree)
    assert len(forks) == 1
    assert [app.folder for app in two.applications] == [app.folder for app in one.applications]
    assert _documents(two) == _documents(one)
    assert two_problems == one_problems
    assert [p.file for p in one_problems if "broken" in p.file] == [
        f"applications/{app.name}/microservices/broken/aigonix.yaml" for app in apps
    ]
