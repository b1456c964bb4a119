"""Message move tasks: redrive a dead-letter queue's messages back to their sources, or to a destination.

A task is a row in the database and, while it runs, an asyncio task here that moves messages at most
`rate` per second (a token bucket holding at most one second of credit), in transactions of up to
`STEP` messages: each message leaves the dead-letter queue in the same transaction that enqueues it at its
destination, and the task's moved count changes in that transaction too. A task still RUNNING when the
server stops resumes when it starts again, as a task on AWS runs on regardless of its caller.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from persistence import move_tasks as task_rows
from persistence import moves
from persistence.engine import Database
from persistence.move_tasks import MoveTask
from persistence.records import QueueRecord
from server import ids
from server.clock import Clock
from server.runtime import Workers
from server.services.sqs.catalog import QueueCatalog
from server.services.sqs.waiters import QueueWaiters

log = logging.getLogger("posthouse.move_tasks")
DEFAULT_RATE = 500
STEP = 100
MIN_PAUSE_MS = 20
RUNNER_ATTEMPTS = 5  # failures in a row before a task is marked FAILED
FIRST_RETRY_MS = 100  # then doubling
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"


@dataclass(frozen=True)
class StepResult:
    moved: int
    finished: bool
    woken: dict[int, int]
    """Queues that received messages, and how many each."""


class MoveTasks:
    def __init__(
        self, db: Database, clock: Clock, catalog: QueueCatalog, waiters: QueueWaiters, workers: Workers
    ) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._waiters = waiters
        self._workers = workers
        self._running: dict[str, asyncio.Future[None]] = {}
        """Task id -> the future that wakes its runner (to cancel, or to stop)."""
        self._stopping = False

    async def load(self) -> None:
        """Resume the tasks that were running when the server stopped; finish cancellations."""
        for task in await self._db.run(task_rows.active):
            if task.status == task_rows.CANCELLING:
                await self._db.run(
                    partial(task_rows.set_status, task_id=task.task_id, status=task_rows.CANCELLED)
                )
            else:
                self._launch(task)

    def stop(self) -> None:
        """Runners stop after the step they are in (the runtime's supervisor waits for them)."""
        self._stopping = True
        for wake in self._running.values():
            _wake(wake)

    async def start(
        self, source: QueueRecord, source_arn: str, destination_arn: str | None, rate: int | None
    ) -> MoveTask | None:
        task_id = ids.uuid4()
        now_ms = self._clock.now_ms()
        task = await self._db.run(
            lambda conn: task_rows.start(conn, task_id, source.id, source_arn, destination_arn, rate, now_ms)
        )
        if task is not None:
            self._launch(task)
        return task

    async def cancel(self, task: MoveTask) -> MoveTask | None:
        """Ask a RUNNING task to stop; None when it is not running any more (the check and the change are one
        statement, so a task that completes meanwhile stays COMPLETED)."""
        cancelling = await self._db.run(
            lambda conn: task_rows.transition(conn, task.task_id, task_rows.RUNNING, task_rows.CANCELLING)
        )
        running = self._running.get(task.task_id)
        if cancelling is not None and running is not None:
            _wake(running)
        elif cancelling is not None:
            # No runner is moving it (it stopped): nobody else would finish the cancellation.
            await self._db.run(
                lambda conn: task_rows.transition(
                    conn, task.task_id, task_rows.CANCELLING, task_rows.CANCELLED
                )
            )
        return cancelling

    async def find(self, task_id: str) -> MoveTask | None:
        return await self._db.read(lambda conn: task_rows.find(conn, task_id))

    async def newest(self, source_arn: str, limit: int) -> list[MoveTask]:
        return await self._db.read(lambda conn: task_rows.newest(conn, source_arn, limit))

    def _launch(self, task: MoveTask) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._running[task.task_id] = wake
        self._workers.start(f"move-task-{task.task_id}", partial(self._run, task, wake))

    async def _run(self, task: MoveTask, wake: asyncio.Future[None]) -> None:
        """Move until done; a step that raises (a full disk, a bug) is tried again from the stored progress
        after a backoff, and only after RUNNER_ATTEMPTS failures in a row is the task marked FAILED."""
        failures = 0
        try:
            while not self._stopping:
                try:
                    await self._move(task, wake)
                    return
                except Exception as error:
                    failures += 1
                    log.exception("move task %s failed (%d of %d)", task.task_id, failures, RUNNER_ATTEMPTS)
                    if failures >= RUNNER_ATTEMPTS:
                        await self._fail(task, error)
                        return
                wake = self._pending_wake(task)
                await self._clock.wait(wake, self._clock.now_ms() + FIRST_RETRY_MS * 2 ** (failures - 1))
        finally:
            self._running.pop(task.task_id, None)

    async def _move(self, task: MoveTask, wake: asyncio.Future[None]) -> None:
        rate = task.rate or DEFAULT_RATE
        credit = 0.0
        last_ms = self._clock.now_ms()
        while not self._stopping:
            now_ms = self._clock.now_ms()
            credit = min(float(rate), credit + rate * (now_ms - last_ms) / 1000)
            last_ms = now_ms
            result = await self._db.run(self._step(task, min(STEP, math.floor(credit))))
            credit -= result.moved
            for queue_id, count in result.woken.items():
                self._waiters.wake(queue_id, count)
            if result.finished:
                return
            wake = self._pending_wake(task)
            pause_ms = max(MIN_PAUSE_MS, math.ceil((1 - credit) * 1000 / rate))
            await self._clock.wait(wake, self._clock.now_ms() + pause_ms)

    def _pending_wake(self, task: MoveTask) -> asyncio.Future[None]:
        """The runner's wake-up (a cancel or shutdown sets it), fresh once it has been used."""
        wake = self._running[task.task_id]
        if wake.done():
            wake = asyncio.get_running_loop().create_future()
            self._running[task.task_id] = wake
        return wake

    async def _fail(self, task: MoveTask, error: Exception) -> None:
        """A runner that kept failing marks its task FAILED instead of leaving it RUNNING for ever."""
        reason = f"{type(error).__name__}: {error}"[:256]
        try:
            await self._db.run(lambda conn: task_rows.fail_if_active(conn, task.task_id, reason))
        except Exception:
            log.exception("move task %s could not be marked FAILED", task.task_id)

    def _destination(self, task: MoveTask, dead_letter_source: str | None) -> QueueRecord | None:
        arn = task.destination_arn or dead_letter_source
        return None if arn is None else self._catalog.by_arn(arn)

    def _step(self, task: MoveTask, allowance: int) -> Callable[[sqlite3.Connection], StepResult]:
        source_fifo = self._catalog_fifo(task)

        def op(conn: sqlite3.Connection) -> StepResult:
            current = task_rows.find(conn, task.task_id)
            if current is None or current.status not in task_rows.ACTIVE:
                return StepResult(0, True, {})
            if current.status == task_rows.CANCELLING:
                task_rows.set_status(conn, task.task_id, task_rows.CANCELLED)
                return StepResult(0, True, {})
            now_ms = self._clock.now_ms()
            movable = task_rows.next_movable(conn, current, now_ms, max(allowance, 1))
            if not movable:
                task_rows.set_status(conn, task.task_id, task_rows.COMPLETED)
                return StepResult(0, True, {})
            moved = 0
            woken: Counter[int] = Counter()
            for row_id, dead_letter_source in movable[:allowance]:
                destination = self._destination(current, dead_letter_source)
                target = None if destination is None else _target(destination)
                if target is None or not moves.move(conn, row_id, source_fifo, target, now_ms):
                    task_rows.set_status(conn, task.task_id, task_rows.FAILED, NON_EXISTENT_QUEUE)
                    task_rows.add_moved(conn, task.task_id, moved)
                    return StepResult(moved, True, dict(woken))
                moved += 1
                woken[target.queue_id] += 1
            task_rows.add_moved(conn, task.task_id, moved)
            return StepResult(moved, False, dict(woken))

        return op

    def _catalog_fifo(self, task: MoveTask) -> bool:
        source = self._catalog.by_arn(task.source_arn)
        return source is not None and source.fifo


def _target(queue: QueueRecord) -> moves.Target:
    retention_ms = int(queue.attributes["MessageRetentionPeriod"]) * 1000
    return moves.Target(queue.id, queue.fifo, retention_ms, None)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
