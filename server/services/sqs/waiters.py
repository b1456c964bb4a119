"""Long-poll wake-ups, handed out one message at a time: receivers wait in line per queue, oldest first, and
a commit that adds `n` messages wakes the `n` receivers that have waited longest, not all of them.

A woken receiver re-tries its claim. If that claim comes back full, more messages may be waiting, so it
wakes the next in line; if the receiver leaves without claiming (its caller hung up), it passes its wake-up
on. So a visible message never waits while a receiver sleeps, and a send costs work in proportion to the
messages it adds, not to the number of parked polls.

Time works the same way: only the receiver at the head of the line sleeps until the next in-flight or delayed
message becomes visible; the others sleep until their deadlines. When that receiver leaves, it wakes the next,
which takes the timer over. So a visibility timeout running out wakes one receive, not all of them.
"""

from __future__ import annotations

import asyncio
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

Line = OrderedDict[asyncio.Future[None], None]


class QueueWaiters:
    def __init__(self) -> None:
        self._lines: dict[int, Line] = {}
        self._parked: Counter[int] = Counter()
        self._timers: dict[int, int] = {}
        """Per queue: when the receiver at the head of the line, asleep, wakes to look again."""
        self.closing = False

    def subscribe(self, queue_id: int, first: bool = False) -> asyncio.Future[None]:
        """Join the queue's line (at its head with `first`: a woken receiver keeps its place)."""
        waker: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.closing:
            waker.set_result(None)
        line = self._lines.setdefault(queue_id, OrderedDict())
        line[waker] = None
        if first:
            line.move_to_end(waker, last=False)
        return waker

    def unsubscribe(self, queue_id: int, waker: asyncio.Future[None]) -> None:
        line = self._lines.get(queue_id)
        if line is not None:
            line.pop(waker, None)
            if not line:
                del self._lines[queue_id]

    @contextmanager
    def parked(self, queue_id: int) -> Iterator[None]:
        """Count a receive as parked while it sleeps (not while it claims)."""
        self._parked[queue_id] += 1
        try:
            yield
        finally:
            self._parked[queue_id] -= 1
            if not self._parked[queue_id]:
                del self._parked[queue_id]

    def timer(self, queue_id: int) -> int | None:
        return self._timers.get(queue_id)

    @contextmanager
    def holding_timer(self, queue_id: int, until_ms: int) -> Iterator[None]:
        """The head of the line sleeps until `until_ms` (the next message to become visible)."""
        self._timers[queue_id] = until_ms
        try:
            yield
        finally:
            if self._timers.get(queue_id) == until_ms:
                del self._timers[queue_id]

    def first_in_line(self, queue_id: int, waker: asyncio.Future[None]) -> bool:
        line = self._lines.get(queue_id)
        return line is not None and next(iter(line), None) is waker

    def all_waiting(self) -> int:
        """Receives parked on every queue together."""
        return sum(self._parked.values())

    def waiting(self, queue_id: int) -> int:
        """How many receives are parked on the queue right now, asleep after a claim that found nothing."""
        return self._parked.get(queue_id, 0)

    def wake(self, queue_id: int, count: int = 1) -> None:
        """`count` messages (or unlocked FIFO groups) arrived: wake that many receivers, longest waiting first."""
        line = self._lines.get(queue_id)
        while line and count > 0:
            waker, _ = line.popitem(last=False)
            if not waker.done():
                waker.set_result(None)
                count -= 1
        if line is not None and not line:
            del self._lines[queue_id]

    def wake_all(self, queue_id: int) -> None:
        """The queue itself changed (deleted): every receiver must look."""
        for waker in self._lines.pop(queue_id, Line()):
            if not waker.done():
                waker.set_result(None)

    def release_all(self) -> None:
        """Shutting down: every parked receive returns now with what it has, and later ones at once. For good:
        the runtime cancels in-process pollers first, so none loops on receives that no longer wait."""
        self.closing = True
        for queue_id in list(self._lines):
            self.wake_all(queue_id)
