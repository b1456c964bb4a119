"""An expired message stops holding its FIFO group at once, and the retention sweep that deletes it wakes
the queue's parked receives. In process, with no retention worker running unless a test starts one: over
HTTP the sweep runs the moment the controllable clock moves, which hides whether a receive needed it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from persistence.engine import Database
from persistence.records import NewMessage, QueueRecord
from server.clock import ControllableClock
from server.context import RequestContext
from server.runtime import Supervisor
from server.services.sqs.service import SqsService
from server.workers.retention import RetentionWorker

CTX = RequestContext(account="000000000000", region="us-east-1", request_id="r", base_url="http://x")
RETENTION_S = 60


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(str(tmp_path / "db.sqlite"))
    await database.open()
    yield database
    await database.close()


@pytest.fixture
async def sqs(db: Database) -> AsyncIterator[SqsService]:
    clock = ControllableClock()
    supervisor = Supervisor(clock)
    service = SqsService(db, clock, supervisor)
    await service.start()
    yield service
    await service.stop()
    await supervisor.stop()


async def send(sqs: SqsService, queue: QueueRecord, body: str) -> None:
    now_ms = sqs.clock.now_ms()
    expires_ms = now_ms + RETENTION_S * 1000
    message = NewMessage(body, body, "md5", None, None, "s", "g", body, now_ms, now_ms, expires_ms)
    await sqs.messaging.send(queue, [message])


async def expired_head(sqs: SqsService) -> QueueRecord:
    """A FIFO group whose head m0 expired while in flight (for 600 s more), with m1 behind it."""
    attributes = {"FifoQueue": "true", "MessageRetentionPeriod": str(RETENTION_S)}
    queue = await sqs.catalog.create(CTX, "expiry.fifo", attributes, {})
    await send(sqs, queue, "m0")
    assert [m.body for m in await sqs.messaging.receive(queue, 1, 600, 0)] == ["m0"]
    sqs.clock.advance(30)  # type: ignore[attr-defined]
    await send(sqs, queue, "m1")
    sqs.clock.advance(31)  # type: ignore[attr-defined]
    return queue


async def test_an_expired_in_flight_head_unlocks_its_group_without_a_sweep(sqs: SqsService) -> None:
    queue = await expired_head(sqs)
    assert [m.body for m in await sqs.messaging.receive(queue, 1, 30, 0)] == ["m1"]


async def test_the_sweep_that_deletes_an_expired_head_wakes_the_queue(sqs: SqsService, db: Database) -> None:
    queue = await expired_head(sqs)
    released: list[tuple[int, int]] = []
    worker = RetentionWorker(db, sqs.clock, released=lambda q, n: released.append((q, n)))
    running = asyncio.create_task(worker.run())
    for _ in range(200):
        if released:
            break
        await asyncio.sleep(0.01)
    running.cancel()
    assert released == [(queue.id, 1)]
