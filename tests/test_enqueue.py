"""The shared enqueue, as another service (SNS fanning a publish out) calls it: messages for several queues put
inside the caller's own transaction are stored together or not at all, FIFO queues number and deduplicate
them, a deleted queue is reported rather than failing the caller, and parked long polls wake only once the
transaction has committed."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import AsyncIterator

import pytest

from persistence.engine import Database
from persistence.records import QueueRecord
from server.clock import SystemClock
from server.config import Config
from server.context import RequestContext
from server.runtime import Platform, Runtime
from server.services.sqs import install as sqs_install
from server.services.sqs.enqueue import Enqueue, Enqueued, Message
from server.services.sqs.service import SqsService

CTX = RequestContext(account="000000000000", region="us-east-1", request_id="r", base_url="http://local")


@pytest.fixture
async def runtime() -> AsyncIterator[Runtime]:
    config = Config(in_memory=True)
    runtime = Runtime(
        Platform(Database(None, config.durability), SystemClock(), config), [sqs_install.install]
    )
    await runtime.start()
    yield runtime
    await runtime.stop()


@pytest.fixture
def sqs(runtime: Runtime) -> SqsService:
    service = runtime.service("sqs")
    assert isinstance(service, SqsService)
    return service


async def queues(sqs: SqsService) -> tuple[QueueRecord, QueueRecord]:
    standard = await sqs.catalog.create(CTX, "orders-eu", {}, {})
    fifo = await sqs.catalog.create(
        CTX, "orders-eu.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"}, {}
    )
    return standard, fifo


class PublishFailed(Exception):
    """The caller's own write fails after the messages were put."""


async def fan_out(
    runtime: Runtime, targets: list[QueueRecord], message: Message, fail: bool = False
) -> list[Enqueued]:
    """What a publishing service does: rows built on the loop, put inside its transaction, woken after."""
    sqs = runtime.service("sqs")
    assert isinstance(sqs, SqsService)
    enqueue = sqs.messaging.enqueue
    now_ms = runtime.clock.now_ms()
    rows = [(queue, enqueue.row(queue, message, now_ms)) for queue in targets]

    def publish(conn: sqlite3.Connection) -> list[Enqueued]:
        conn.execute("SELECT 1")  # the caller's own writes would be here
        enqueued = [Enqueue.put(conn, queue, [row], now_ms) for queue, row in rows]
        if fail:
            raise PublishFailed()
        return enqueued

    enqueued = await runtime.db.run(publish)
    enqueue.committed(enqueued)
    return enqueued


async def test_messages_put_in_a_transaction_that_fails_are_in_no_queue(
    runtime: Runtime, sqs: SqsService
) -> None:
    standard, fifo = await queues(sqs)
    message = Message("order 1", "000000000000", group_id="eu")
    with pytest.raises(PublishFailed):
        await fan_out(runtime, [standard, fifo], message, fail=True)
    assert [(await sqs.messaging.counts(q)).visible for q in (standard, fifo)] == [0, 0]
    await fan_out(runtime, [standard, fifo], message)
    assert [(await sqs.messaging.counts(q)).visible for q in (standard, fifo)] == [1, 1]


async def test_fifo_queues_number_and_deduplicate_what_is_put(runtime: Runtime, sqs: SqsService) -> None:
    _, fifo = await queues(sqs)
    first = await fan_out(runtime, [fifo], Message("same body", "000000000000", group_id="g"))
    again = await fan_out(runtime, [fifo], Message("same body", "000000000000", group_id="g"))
    other = await fan_out(runtime, [fifo], Message("same body", "000000000000", group_id="g", dedup_id="d2"))
    assert first[0].sent and again[0].sent and other[0].sent
    assert again[0].sent[0].duplicate and again[0].sent[0].message_id == first[0].sent[0].message_id
    assert not other[0].sent[0].duplicate
    assert other[0].sent[0].sequence_number > first[0].sent[0].sequence_number
    received = await sqs.messaging.receive(fifo, 10, 30, 0)
    assert [m.dedup_id for m in received] == [hashlib.sha256(b"same body").hexdigest(), "d2"]


async def test_a_deleted_queue_is_reported_and_the_others_still_get_the_message(
    runtime: Runtime, sqs: SqsService
) -> None:
    standard, fifo = await queues(sqs)
    await sqs.catalog.delete(fifo)
    enqueued = await fan_out(runtime, [standard, fifo], Message("order 2", "000000000000", group_id="eu"))
    assert [e.missing for e in enqueued] == [False, True]
    assert (await sqs.messaging.counts(standard)).visible == 1


async def test_a_parked_long_poll_wakes_when_the_callers_transaction_commits(
    runtime: Runtime, sqs: SqsService
) -> None:
    standard, _ = await queues(sqs)
    poll = asyncio.ensure_future(sqs.messaging.receive(standard, 1, 30, 20))
    for _ in range(1000):  # until it is parked
        if sqs.waiters.waiting(standard.id):
            break
        await asyncio.sleep(0.001)
    await fan_out(runtime, [standard], Message("order 3", "000000000000", delay_s=0))
    received = await asyncio.wait_for(poll, 2)  # well before the poll's 20 s
    assert [m.body for m in received] == ["order 3"]


async def test_a_group_id_makes_a_standard_queue_fair_and_a_queue_delay_applies(sqs: SqsService) -> None:
    standard = await sqs.catalog.create(CTX, "delayed", {"DelaySeconds": "60"}, {})
    row = sqs.messaging.enqueue.row(standard, Message("late", "000000000000", group_id="tenant-1"), 1_000)
    assert row.visible_at_ms == 61_000
    assert standard.id in sqs.messaging.enqueue.fair_queues
