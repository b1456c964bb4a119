"""Sending, receiving, deleting and re-timing messages of a queue.

Each call is one operation in a group-committed transaction. Receives long-poll by parking on the queue's
waker and re-trying their claim when a send commits, when the next delayed or in-flight message becomes
visible, or when the clock jumps.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from persistence import messages as message_rows
from persistence.engine import Database, Op
from persistence.records import MessageRecord, NewMessage, QueueCounts, QueueRecord
from server.clock import Clock
from server.context import ClientGone
from server.errors import AwsError
from server.services.sqs import receipts
from server.services.sqs.catalog import QueueCatalog
from server.services.sqs.errors import invalid_value, queue_does_not_exist
from server.services.sqs.waiters import QueueWaiters


@dataclass(frozen=True)
class Claim:
    messages: list[MessageRecord]
    next_visible_ms: int | None


@dataclass(frozen=True)
class VisibilityRequest:
    handle: str
    receipt: receipts.Receipt
    visibility_s: int


def _insert(queue_id: int, messages: list[NewMessage]) -> Op:
    def op(conn: sqlite3.Connection) -> None:
        if not message_rows.insert(conn, queue_id, messages):
            raise queue_does_not_exist()

    return op


def _wake(waker: asyncio.Future[None], _: object) -> None:
    if not waker.done():
        waker.set_result(None)


def _visibility_error(request: VisibilityRequest, outcome: message_rows.VisibilityChange) -> AwsError:
    if outcome is message_rows.VisibilityChange.OVER_LIMIT:
        return invalid_value(
            "VisibilityTimeout",
            request.visibility_s,
            "Total VisibilityTimeout for the message is beyond the limit [43200 seconds].",
        )
    return invalid_value(
        "ReceiptHandle",
        request.handle,
        "Message does not exist or is not available for visibility timeout change.",
    )


class Messaging:
    def __init__(self, db: Database, clock: Clock, catalog: QueueCatalog, waiters: QueueWaiters) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._waiters = waiters

    async def send(self, queue: QueueRecord, messages: list[NewMessage]) -> None:
        if not messages:
            return
        await self._db.run(_insert(queue.id, messages))
        self._waiters.wake(queue.id)

    async def receive(
        self,
        queue: QueueRecord,
        limit: int,
        visibility_s: int,
        wait_s: int,
        client_gone: ClientGone | None = None,
    ) -> list[MessageRecord]:
        deadline_ms = self._clock.now_ms() + wait_s * 1000
        gone: asyncio.Future[None] | None = None
        while True:
            waker = self._waiters.subscribe(queue.id)
            try:
                claim = await self._db.run(self._claim(queue.id, limit, visibility_s * 1000, wait_s > 0))
                if claim.messages or self._waiters.closing or self._clock.now_ms() >= deadline_ms:
                    return claim.messages
                if gone is None and client_gone is not None:
                    gone = client_gone()
                if gone is not None:
                    gone.add_done_callback(wake := partial(_wake, waker))
                until = min(deadline_ms, claim.next_visible_ms or deadline_ms)
                await self._clock.wait(waker, until)
                if gone is not None:
                    gone.remove_done_callback(wake)  # one callback per parked round, not one per wake-up
            finally:
                self._waiters.unsubscribe(queue.id, waker)
            if gone is not None and gone.done():
                return []  # the caller hung up: claiming now would hide messages from everyone else
            queue = self._catalog.refresh(queue)  # deleted while we waited: NonExistentQueue

    def _claim(
        self, queue_id: int, limit: int, visibility_ms: int, want_next: bool
    ) -> Callable[[sqlite3.Connection], Claim]:
        def op(conn: sqlite3.Connection) -> Claim:
            now_ms = self._clock.now_ms()
            claimed = message_rows.claim(conn, queue_id, now_ms, limit, visibility_ms)
            upcoming = (
                None if claimed or not want_next else message_rows.next_visible_ms(conn, queue_id, now_ms)
            )
            return Claim(claimed, upcoming)

        return op

    async def delete(self, queue: QueueRecord, handles: list[receipts.Receipt]) -> None:
        def op(conn: sqlite3.Connection) -> None:
            for receipt in handles:
                message_rows.delete(conn, queue.id, receipt.row_id, receipt.message_id)

        await self._db.run(op)

    async def change_visibility(
        self, queue: QueueRecord, requests: list[VisibilityRequest]
    ) -> list[AwsError | None]:
        """Re-time each message; per request, None or the error AWS gives for it."""

        def op(conn: sqlite3.Connection) -> list[AwsError | None]:
            now_ms = self._clock.now_ms()
            results: list[AwsError | None] = []
            for request in requests:
                receipt = request.receipt
                outcome = message_rows.change_visibility(
                    conn,
                    queue.id,
                    receipt.row_id,
                    receipt.message_id,
                    receipt.receive_count,
                    now_ms,
                    request.visibility_s * 1000,
                )
                changed = outcome is message_rows.VisibilityChange.CHANGED
                results.append(None if changed else _visibility_error(request, outcome))
            return results

        results = await self._db.run(op)
        self._waiters.wake(queue.id)  # a message made visible again may be what a long poll waits for
        return results

    async def counts(self, queue: QueueRecord) -> QueueCounts:
        return await self._db.read(lambda conn: message_rows.counts(conn, queue.id, self._clock.now_ms()))

    async def peek(self, queue: QueueRecord, limit: int) -> list[MessageRecord]:
        return await self._db.read(
            lambda conn: message_rows.peek(conn, queue.id, self._clock.now_ms(), limit)
        )
