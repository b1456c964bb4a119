"""Retention: drops messages past their queue's retention period, a bounded chunk at a time.

Also drops FIFO deduplication ids and receive attempts past their five minutes. Receives, counts and
deduplication already ignore expired rows, so this worker only reclaims space; it never decides what a client
sees and may run late without changing any answer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Callable

from persistence import fifo
from persistence import messages as message_rows
from persistence.engine import Database
from server.clock import Clock

INTERVAL_MS = 5_000
CHUNK = 1_000


Released = Callable[[int, int], None]
"""Told (queue id, how many FIFO groups) when expired messages unlocked groups: parked receives may go on."""


class RetentionWorker:
    """A supervised worker (see server.runtime): `run` sweeps every INTERVAL_MS until it is cancelled; a sweep
    that fails raises, and the supervisor starts it again after a backoff."""

    def __init__(self, db: Database, clock: Clock, released: Released) -> None:
        self._db = db
        self._clock = clock
        self._released = released

    async def run(self) -> None:
        while True:
            while True:
                dropped, groups_per_queue = await self._db.run(self._sweep)
                for queue_id, groups in groups_per_queue.items():
                    self._released(queue_id, groups)
                if dropped < CHUNK:
                    break
            # Nothing wakes it early: a controllable clock's jump ends the wait once it passes the deadline.
            never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            await self._clock.wait(never, self._clock.now_ms() + INTERVAL_MS)

    def _sweep(self, conn: sqlite3.Connection) -> tuple[int, Counter[int]]:
        """Drop a chunk; return the most rows any table dropped, and the FIFO groups refreshed per queue."""
        now_ms = self._clock.now_ms()
        dropped, fifo_groups = message_rows.delete_expired(conn, now_ms, CHUNK)
        for queue_id, group_id in fifo_groups:
            fifo.refresh_group(conn, queue_id, group_id)
        groups_per_queue = Counter(queue_id for queue_id, _ in fifo_groups)
        return max(dropped, fifo.delete_expired(conn, now_ms, CHUNK)), groups_per_queue
