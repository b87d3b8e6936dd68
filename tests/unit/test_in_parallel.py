"""Sealing's thread pool and sops processes: results in order; an interrupt stops both."""

from __future__ import annotations

import threading
import time

import pytest

from aigonix_render.foundation.errors import SopsError
from aigonix_render.seal.sealing import _in_parallel
from aigonix_render.seal.sops import Sops


def test_results_come_in_the_order_of_the_items() -> None:
    assert _in_parallel(lambda n: n * n, list(range(20)), 4, lambda: None) == [n * n for n in range(20)]


def test_an_interrupt_stops_the_calls_under_way_and_cancels_the_rest() -> None:
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


def test_stop_kills_the_sops_under_way_and_starts_no_other() -> None:
    sops = Sops({})
    failures: list[str] = []

    def decrypt() -> None:
        try:
            sops._run(["sleep", "30"], b"", "a.yaml", "decrypt")
        except SopsError as error:
            failures.append(str(error))

    thread = threading.Thread(target=decrypt)
    thread.start()
    deadline = time.monotonic() + 10
    while not sops._running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sops._running, "the process never started"
    stopped = time.monotonic()
    sops.stop()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - stopped < 5
    assert len(failures) == 1 and failures[0].startswith("a.yaml: sops could not decrypt it"), failures
    assert not sops._running
    with pytest.raises(SopsError, match=r"^b\.yaml: not started: the run was interrupted$"):
        sops._run(["true"], b"", "b.yaml", "decrypt")
