"""Waiting for what crosses the broker: events arrive asynchronously, so tests poll for their effect."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str = "condition", timeout: float = 30.0, *,
               interval: float = 0.2, while_waiting: Callable[[], None] | None = None,
               explain: Callable[[], str] | None = None) -> T:
    """``probe()`` once it is truthy, polled every ``interval`` seconds.

    ``while_waiting`` runs between polls (e.g. to fail at once when a process under test died);
    on timeout the failure names ``what`` never happened, followed by ``explain()`` when given.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if while_waiting is not None:
            while_waiting()
        if time.monotonic() > deadline:
            message = f"timed out after {timeout:.0f} s waiting for {what}"
            raise AssertionError(f"{message}:\n{explain()}" if explain is not None else message)
        time.sleep(interval)
