"""Sealing's thread pool: results in order, and nothing started after an interrupt."""

from __future__ import annotations

import pytest

from aigonix_render.seal import _in_parallel


def test_results_come_in_the_order_of_the_items() -> None:
    assert _in_parallel(lambda n: n * n, list(range(20)), 4, lambda: None) == [n * n for n in range(20)]


def test_after_ctrl_c_no_further_call_starts() -> None:
    started: list[int] = []
    stopped: list[bool] = []

    def call(n: int) -> int:
        started.append(n)
        if n == 0:
            raise KeyboardInterrupt  # as when Ctrl-C killed the sops this call waited on
        return n

    with pytest.raises(KeyboardInterrupt):
        _in_parallel(call, list(range(50)), 1, lambda: stopped.append(True))
    assert started == [0]
    assert stopped == [True]
