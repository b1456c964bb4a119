"""Retention: drops messages past their queue's retention period, a bounded chunk at a time.

Also drops FIFO deduplication ids and receive attempts past their five minutes. Receives, counts and
deduplication already ignore expired rows, so this worker only reclaims space; it never decides what a client
sees and may run late without changing any answer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable

from persistence import fifo
from persistence import messages as message_rows
from persistence.engine import Database
from server.clock import Clock

log = logging.getLogger("posthouse.retention")
INTERVAL_MS = 5_000
CHUNK = 1_000


Released = Callable[[int, int], None]
"""Told (queue id, how many FIFO groups) when expired messages unlocked groups: parked receives may go on."""


class RetentionWorker:
    def __init__(self, db: Database, clock: Clock, released: Released) -> None:
        self._db = db
        self._clock = clock
        self._released = released
        self._stopping = False
        self._wake: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="posthouse-retention")

    async def stop(self) -> None:
        self._stopping = True
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                while True:
                    dropped, groups_per_queue = await self._db.run(self._sweep)
                    for queue_id, groups in groups_per_queue.items():
                        self._released(queue_id, groups)
                    if dropped < CHUNK:
                        break
            except Exception:
                log.exception("retention sweep failed; retrying next round")
            # A fresh future each round: a controllable clock completes it when it moves (a sweep is due).
            self._wake = asyncio.get_running_loop().create_future()
            if not self._stopping:
                await self._clock.wait(self._wake, self._clock.now_ms() + INTERVAL_MS)

    def _sweep(self, conn: sqlite3.Connection) -> tuple[int, Counter[int]]:
        """Drop a chunk; return the most rows any table dropped, and the FIFO groups refreshed per queue."""
        now_ms = self._clock.now_ms()
        dropped, fifo_groups = message_rows.delete_expired(conn, now_ms, CHUNK)
        for queue_id, group_id in fifo_groups:
            fifo.refresh_group(conn, queue_id, group_id)
        groups_per_queue = Counter(queue_id for queue_id, _ in fifo_groups)
        return max(dropped, fifo.delete_expired(conn, now_ms, CHUNK)), groups_per_queue
