"""A worker that runs what a table holds as it falls due (SNS's HTTP outbox, Lambda's queued Event
invocations): up to `at_once` items at a time, each attempt in its own task, then asleep until the next item
not in hand is due or `wake()` says there is more. Every wait goes through the clock, so tests drive it.

An attempt that raises leaves its item where it is, and the item is held back before it is tried again: 1 s,
doubling to 5 minutes (kept in memory: a restart tries it at once). Nothing that fails runs in a hot loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from server.clock import Clock

log = logging.getLogger("posthouse.due")

IDLE_LOOK_MS = 60_000
"""With nothing waiting, look again this often anyway."""
FIRST_HOLD_MS = 1_000
LAST_HOLD_MS = 300_000


class Row(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=Row)
Due = Callable[[int, int, set[int]], Awaitable[list[Item]]]
"""(now, how many at most, ids in hand) -> the items due."""
NextDue = Callable[[set[int]], Awaitable[int | None]]
"""(ids in hand) -> when the next other item is due."""


class DueWork(Generic[Item]):
    def __init__(
        self,
        clock: Clock,
        due: Due[Item],
        next_due: NextDue,
        attempt: Callable[[Item], Awaitable[None]],
        at_once: int,
    ) -> None:
        self._clock = clock
        self._due = due
        self._next_due = next_due
        self._attempt = attempt
        self._at_once = at_once
        self._in_hand: set[int] = set()
        self._held: dict[int, tuple[int, int]] = {}
        """Item id -> (unexpected failures in a row, not before this time)."""
        self._waker: asyncio.Future[None] | None = None

    def wake(self) -> None:
        if self._waker is not None and not self._waker.done():
            self._waker.set_result(None)

    async def run(self) -> None:
        tasks: set[asyncio.Task[None]] = set()
        try:
            while True:
                self._waker = asyncio.get_running_loop().create_future()
                now_ms = self._clock.now_ms()
                for item_id in [
                    i for i, (_, until_ms) in self._held.items() if until_ms < now_ms - LAST_HOLD_MS
                ]:
                    del self._held[item_id]  # not tried again since its hold ended: it is gone
                holding = {item_id for item_id, (_, until_ms) in self._held.items() if until_ms > now_ms}
                free = self._at_once - len(self._in_hand)
                for item in await self._due(now_ms, free, self._in_hand | holding) if free > 0 else []:
                    self._in_hand.add(item.id)
                    task = asyncio.create_task(self._attempt_one(item))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                next_ms = await self._next_due(self._in_hand | holding)
                wake_ms = [now_ms + IDLE_LOOK_MS if next_ms is None else next_ms]
                wake_ms += [self._held[item_id][1] for item_id in holding]
                await self._clock.wait(self._waker, min(wake_ms))
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _attempt_one(self, item: Item) -> None:
        try:
            await self._attempt(item)
            self._held.pop(item.id, None)
        except Exception:
            failures = self._held.get(item.id, (0, 0))[0] + 1
            hold_ms = min(LAST_HOLD_MS, FIRST_HOLD_MS * 2 ** min(failures - 1, 20))
            self._held[item.id] = (failures, self._clock.now_ms() + hold_ms)
            log.exception("item %d failed unexpectedly; tried again in %d ms", item.id, hold_ms)
        finally:
            self._in_hand.discard(item.id)
            self.wake()
