"""A worker that runs what a table holds as it falls due (SNS's HTTP outbox, Lambda's queued Event
invocations): up to `at_once` items at a time, each attempt in its own task, then asleep until the next item
not in hand is due or `wake()` says there is more. Every wait goes through the clock, so tests drive it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from server.clock import Clock

log = logging.getLogger("posthouse.due")

IDLE_LOOK_MS = 60_000
"""With nothing waiting, look again this often anyway."""


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
                free = self._at_once - len(self._in_hand)
                for item in await self._due(now_ms, free, set(self._in_hand)) if free > 0 else []:
                    self._in_hand.add(item.id)
                    task = asyncio.create_task(self._attempt_one(item))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                next_ms = await self._next_due(set(self._in_hand))
                await self._clock.wait(self._waker, now_ms + IDLE_LOOK_MS if next_ms is None else next_ms)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _attempt_one(self, item: Item) -> None:
        try:
            await self._attempt(item)
        except Exception:
            log.exception("item %d failed unexpectedly; it stays where it is", item.id)
        finally:
            self._in_hand.discard(item.id)
            self.wake()
