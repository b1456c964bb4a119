"""Long-poll wake-ups: receivers park on a per-queue future; a commit that adds messages completes them.

In process and immediate: no polling loop. A woken receiver re-tries its claim, so waking too many is safe
and waking none is the only bug.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class QueueWaiters:
    def __init__(self) -> None:
        self._waiting: defaultdict[int, set[asyncio.Future[None]]] = defaultdict(set)
        self.closing = False

    def subscribe(self, queue_id: int) -> asyncio.Future[None]:
        waker: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.closing:
            waker.set_result(None)
        self._waiting[queue_id].add(waker)
        return waker

    def unsubscribe(self, queue_id: int, waker: asyncio.Future[None]) -> None:
        waiting = self._waiting.get(queue_id)
        if waiting is not None:
            waiting.discard(waker)
            if not waiting:
                del self._waiting[queue_id]

    def waiting(self, queue_id: int) -> int:
        """How many receives are parked on the queue right now."""
        return len(self._waiting.get(queue_id, ()))

    def wake(self, queue_id: int) -> None:
        for waker in self._waiting.get(queue_id, ()):
            if not waker.done():
                waker.set_result(None)

    def release_all(self) -> None:
        """Shutting down: every parked receive returns now with what it has."""
        self.closing = True
        for queue_id in list(self._waiting):
            self.wake(queue_id)
