"""The one clock seam: every reading of time and every timed wait in the server goes through a Clock.

`SystemClock` follows the wall clock. `ControllableClock` adds an offset that tests move forward with
`advance`, and wakes every timed wait so it re-checks against the new time instead of sleeping on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    async def wait(self, waker: asyncio.Future[None], deadline_ms: int) -> None:
        """Return when `waker` completes, when the clock reaches `deadline_ms`, or when time jumps."""
        ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def wait(self, waker: asyncio.Future[None], deadline_ms: int) -> None:
        timeout = max(0, deadline_ms - self.now_ms()) / 1000
        await asyncio.wait((waker,), timeout=timeout)


class ControllableClock(SystemClock):
    """Wall clock plus an offset that only moves forward."""

    def __init__(self) -> None:
        self._offset_ms = 0
        self._waiting: set[asyncio.Future[None]] = set()

    def now_ms(self) -> int:
        return super().now_ms() + self._offset_ms

    def advance(self, seconds: float) -> None:
        self._offset_ms += round(seconds * 1000)
        for waker in self._waiting:
            if not waker.done():
                waker.set_result(None)

    async def wait(self, waker: asyncio.Future[None], deadline_ms: int) -> None:
        self._waiting.add(waker)
        try:
            await super().wait(waker, deadline_ms)
        finally:
            self._waiting.discard(waker)
