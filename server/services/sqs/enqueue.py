"""The published way to put messages into SQS queues: SendMessage and SendMessageBatch use it, and so do other
services from inside their own write transaction (SNS fans a publish out to its queues atomically; Lambda's
failure destinations will too).

Three steps, because a transaction runs on the database's thread and wake-ups belong to the event loop:
`row` builds a message for a queue by the queue's rules (its delay, retention, content-based deduplication;
a group id on a standard queue makes it fair); `put` stores rows inside the caller's transaction (a FIFO
queue gives sequence numbers or recognises duplicates); `committed` wakes the long polls parked on the
queues, after the transaction has committed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import orjson

from persistence import fifo
from persistence import messages as message_rows
from persistence.records import NewMessage, QueueRecord
from server import ids
from server.services.md5 import md5_of_body
from server.services.message_attributes import Attributes
from server.services.sqs.stats import QueueStats
from server.services.sqs.waiters import QueueWaiters


class Message(NamedTuple):
    """A message to enqueue, already validated by the service that sends it (a tuple: one is built per
    message sent, and a frozen dataclass costs twice as much to build)."""

    body: str
    sender_id: str
    attributes: Attributes | None = None
    system_attributes: Attributes | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    """For FIFO queues; without one, a FIFO queue derives it from the body (content-based)."""
    delay_s: int | None = None
    """None: the queue's own delay."""


@dataclass(frozen=True, slots=True)
class Enqueued:
    queue_id: int
    count: int
    sent: list[fifo.Sent] | None
    """For a FIFO queue, each message's sequence number (or the message it duplicates)."""
    missing: bool = False
    """The queue was deleted: nothing was stored."""


class Enqueue:
    def __init__(
        self, waiters: QueueWaiters, by_arn: Callable[[str], QueueRecord | None], stats: QueueStats
    ) -> None:
        self._waiters = waiters
        self._stats = stats
        self.queue = by_arn
        """The queue an ARN names (`arn:aws:sqs:<region>:<account>:<name>`), if it exists."""
        self.fair_queues: set[int] = set()
        """Standard queues that have held messages with a group id: they schedule fairly."""

    def row(self, queue: QueueRecord, message: Message, now_ms: int) -> NewMessage:
        """The message as `queue` stores it. On the event loop, before the transaction."""
        if message.group_id is not None and not queue.fifo and queue.id not in self.fair_queues:
            self.fair_queues.add(queue.id)
        delay_s = int(queue.attributes["DelaySeconds"]) if message.delay_s is None else message.delay_s
        dedup_id = None
        if queue.fifo:
            dedup_id = message.dedup_id or hashlib.sha256(message.body.encode()).hexdigest()
        return NewMessage(
            message_id=ids.uuid4(),
            body=message.body,
            body_md5=md5_of_body(message.body),
            attributes=orjson.dumps(message.attributes) if message.attributes else None,
            system_attributes=orjson.dumps(message.system_attributes) if message.system_attributes else None,
            sender_id=message.sender_id,
            group_id=message.group_id,
            dedup_id=dedup_id,
            sent_ms=now_ms,
            visible_at_ms=now_ms + delay_s * 1000,
            expires_at_ms=now_ms + int(queue.attributes["MessageRetentionPeriod"]) * 1000,
        )

    @staticmethod
    def put(conn: sqlite3.Connection, queue: QueueRecord, rows: list[NewMessage], now_ms: int) -> Enqueued:
        """Store rows in `queue`, inside the caller's transaction."""
        if queue.fifo:
            per_group = queue.attributes.get("DeduplicationScope") == "messageGroup"
            sent = fifo.send(conn, queue.id, rows, per_group, now_ms)
            return Enqueued(queue.id, len(rows), sent, missing=sent is None)
        stored = message_rows.insert(conn, queue.id, rows)
        return Enqueued(queue.id, len(rows), None, missing=not stored)

    def committed(self, enqueued: Iterable[Enqueued]) -> None:
        """After the transaction committed: wake a parked long poll per message stored."""
        for one in enqueued:
            if not one.missing:
                self._waiters.wake(one.queue_id, one.count)
                self._stats.sent[one.queue_id] += one.count
