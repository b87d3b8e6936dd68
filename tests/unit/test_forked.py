"""Rendering and checking on two cores (``render.forked``): the same files, the same
problems in the same order as one process, and nothing lost when the child fails."""

from __future__ import annotations

import os
import signal

import pytest
from conftest import SAMPLE

from aigonix_render.check import check_rendering
from aigonix_render.commands.valid import valid_model
from aigonix_render.render import Templates, forked, in_two, render_model

PARENT = os.getpid()


def test_both_halves_in_order() -> None:
    assert in_two(lambda: os.getpid(), lambda: os.getpid()) != (PARENT, PARENT)
    assert in_two(lambda: "first", lambda: ["second", {"n": 2}]) == ("first", ["second", {"n": 2}])


def test_the_childs_exception_is_raised_here() -> None:
    def second() -> None:
        raise ValueError("in the child")

    with pytest.raises(ValueError, match=r"^in the child$"):
        in_two(lambda: 1, second)


def test_the_parents_exception_ends_the_child() -> None:
    def first() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        in_two(first, lambda: 2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # reaped: no child is left behind


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


def test_small_jobs_stay_in_one_process() -> None:
    assert not forked.worth_forking(forked.FORK_FROM - 1)
    assert forked.worth_forking(forked.FORK_FROM) == forked._enabled


def test_the_sample_renders_and_checks_the_same_on_two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same files and problems whether render and check fork or not (each does here,
    counted: a test that never forked would prove nothing)."""
    if not forked._enabled:
        pytest.skip("forks on Linux only")
    forks: list[int] = []
    real_fork = os.fork

    def counted() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted)
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
