"""Move-task state changes cannot get stuck: a cancel that loses the race to completion changes nothing,
a runner that fails for a while resumes from its stored progress, and one that keeps failing leaves
its task FAILED, not RUNNING for ever. (In process, on a real database:
the races are too narrow to hit reliably over HTTP.)"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from persistence import move_tasks as task_rows
from persistence import moves
from persistence.engine import Database
from persistence.records import NewMessage, QueueRecord
from server.clock import ControllableClock
from server.context import RequestContext
from server.runtime import Supervisor
from server.services.sqs.catalog import queue_arn
from server.services.sqs.service import SqsService

CTX = RequestContext(account="000000000000", region="us-east-1", request_id="r", base_url="http://x")


@pytest.fixture
async def sqs(tmp_path: Path) -> AsyncIterator[SqsService]:
    db = Database(str(tmp_path / "db.sqlite"))
    await db.open()
    clock = ControllableClock()
    supervisor = Supervisor(clock)
    service = SqsService(db, clock, supervisor)
    await service.start()
    yield service
    await service.stop()
    await supervisor.stop()
    await db.close()


async def dead_letter_queue(sqs: SqsService, messages: int) -> QueueRecord:
    queue = await sqs.catalog.create(CTX, "dlq", {}, {})
    now_ms = sqs.clock.now_ms()
    rows = [
        NewMessage(f"m{n}", "b", "md5", None, None, "s", None, None, now_ms, now_ms, now_ms + 10**9)
        for n in range(messages)
    ]
    await sqs.messaging.send(queue, rows)
    return queue


async def test_a_cancel_that_arrives_after_completion_changes_nothing(sqs: SqsService) -> None:
    queue = await dead_letter_queue(sqs, 0)
    arn = queue_arn(queue)
    seen_running = await sqs.move_tasks.start(queue, arn, arn, 1)
    assert seen_running is not None and seen_running.status == task_rows.RUNNING
    for _ in range(100):  # nothing to move: the runner completes it at once
        if (await sqs.move_tasks.find(seen_running.task_id)).status == task_rows.COMPLETED:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.01)
    assert await sqs.move_tasks.cancel(seen_running) is None  # acting on the stale RUNNING it read
    current = await sqs.move_tasks.find(seen_running.task_id)
    assert current is not None and current.status == task_rows.COMPLETED
    assert await sqs.move_tasks.start(queue, arn, arn, 1) is not None  # the source is free for a new task


async def settled(sqs: SqsService, task_id: str) -> str:
    """The task's status once it is no longer RUNNING, moving the clock past the runner's backoffs."""
    for _ in range(400):
        current = await sqs.move_tasks.find(task_id)
        assert current is not None
        if current.status != task_rows.RUNNING:
            return current.status
        sqs.clock.advance(1)  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
    raise AssertionError("the task stayed RUNNING")


async def test_a_runner_that_fails_for_a_while_resumes_and_completes(
    sqs: SqsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = await dead_letter_queue(sqs, 3)
    other = await sqs.catalog.create(CTX, "elsewhere", {}, {})
    real_move, failures = moves.move, list[str]()

    def flaky_move(conn: sqlite3.Connection, *args: Any) -> bool:
        if len(failures) < 2:
            failures.append("disk on fire")
            raise RuntimeError("disk on fire")
        return real_move(conn, *args)

    monkeypatch.setattr(moves, "move", flaky_move)
    task = await sqs.move_tasks.start(queue, queue_arn(queue), queue_arn(other), 10)
    assert task is not None
    assert await settled(sqs, task.task_id) == task_rows.COMPLETED
    assert len(failures) == 2 and (await sqs.messaging.counts(other)).visible == 3


async def test_a_runner_that_keeps_raising_marks_its_task_failed(
    sqs: SqsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = await dead_letter_queue(sqs, 3)
    other = await sqs.catalog.create(CTX, "elsewhere", {}, {})

    def broken_move(conn: sqlite3.Connection, *args: object) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(moves, "move", broken_move)
    task = await sqs.move_tasks.start(queue, queue_arn(queue), queue_arn(other), 10)
    assert task is not None
    assert await settled(sqs, task.task_id) == task_rows.FAILED
    failed = await sqs.move_tasks.find(task.task_id)
    assert failed is not None and failed.failure_reason == "RuntimeError: disk on fire"
