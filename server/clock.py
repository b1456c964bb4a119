"""The one clock seam: every reading of time and every timed wait in the server goes through a Clock.

`SystemClock` follows the wall clock. `ControllableClock` adds an offset that tests move forward with
`advance`, which ends the timed waits whose deadline the jump passed (and only those, as time would).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    async def wait(self, waker: asyncio.Future[None], deadline_ms: int) -> None:
        """Return when `waker` completes or when the clock reaches `deadline_ms`."""
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
        self._timers: dict[asyncio.Future[None], int] = {}

    def now_ms(self) -> int:
        return super().now_ms() + self._offset_ms

    def advance(self, seconds: float) -> None:
        self._offset_ms += round(seconds * 1000)
        now_ms = self.now_ms()
        for timer, deadline_ms in self._timers.items():
            if deadline_ms <= now_ms and not timer.done():
                timer.set_result(None)

    async def wait(self, waker: asyncio.Future[None], deadline_ms: int) -> None:
        timer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._timers[timer] = deadline_ms
        try:
            timeout = max(0, deadline_ms - self.now_ms()) / 1000
            await asyncio.wait((waker, timer), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            del self._timers[timer]
