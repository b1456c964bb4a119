"""Sending, receiving, deleting and re-timing messages of a queue.

Each call is one operation in a group-committed transaction. Receives long-poll by parking on the queue's
waker and re-trying their claim when a send commits, when the next delayed or in-flight message becomes
visible, or when the clock jumps. A receive picks messages by queue kind (standard, fair, FIFO) and moves
messages received too often to the dead-letter queue in the same transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import partial

from persistence import fifo, moves
from persistence import messages as message_rows
from persistence.engine import Database
from persistence.records import MessageRecord, NewMessage, QueueCounts, QueueRecord
from server.clock import Clock
from server.context import ClientGone
from server.errors import AwsError
from server.services.sqs import fairness, receipts
from server.services.sqs.catalog import QueueCatalog, queue_arn, redrive_policy
from server.services.sqs.claims import ClaimBatcher
from server.services.sqs.enqueue import Enqueue, Enqueued
from server.services.sqs.errors import invalid_value, queue_does_not_exist
from server.services.sqs.history import ConsumedHistory
from server.services.sqs.stats import QueueStats
from server.services.sqs.waiters import QueueWaiters


@dataclass(frozen=True)
class Claim:
    messages: list[MessageRecord]
    next_visible_ms: int | None
    dead_lettered_to: int | None = None
    """The dead-letter queue that received messages during the claim, to wake its pollers."""
    dead_lettered: int = 0
    """How many it received."""


@dataclass(frozen=True)
class VisibilityRequest:
    handle: str
    receipt: receipts.Receipt
    visibility_s: int


@dataclass(frozen=True)
class Redrive:
    """Where a queue's messages go after too many receives."""

    max_receive_count: int
    target: moves.Target


ClaimRows = Callable[[sqlite3.Connection, int, int, int, int], list[MessageRecord]]


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


def _dead_letter(
    conn: sqlite3.Connection,
    queue: QueueRecord,
    redrive: Redrive,
    claimed: list[MessageRecord],
    claim_rows: ClaimRows,
    limit: int,
    visibility_ms: int,
    now_ms: int,
) -> tuple[list[MessageRecord], int]:
    """Move the claimed messages received once too often to the dead-letter queue and claim others in their
    place; return what the caller gets, and how many moved."""
    delivered: list[MessageRecord] = []
    dead_lettered = 0
    while True:
        moved = {
            m.id
            for m in claimed
            if m.receive_count > redrive.max_receive_count
            and moves.move(conn, m.id, queue.fifo, redrive.target, now_ms)
        }
        delivered += [m for m in claimed if m.id not in moved]
        dead_lettered += len(moved)
        # Fill the room the moved messages left; not with a zero visibility timeout, though: the messages
        # just claimed are visible again and would be claimed twice.
        if not moved or visibility_ms == 0 or len(delivered) == limit:
            if not queue.fifo:  # a FIFO claim's order is its groups' order, kept as claimed
                delivered.sort(key=lambda m: m.id)
            return delivered, dead_lettered
        claimed = claim_rows(conn, queue.id, now_ms, limit - len(delivered), visibility_ms)


class Messaging:
    def __init__(self, db: Database, clock: Clock, catalog: QueueCatalog, waiters: QueueWaiters) -> None:
        self._db = db
        self._clock = clock
        self._catalog = catalog
        self._waiters = waiters
        self._claims: ClaimBatcher[Claim] = ClaimBatcher(db)
        self.stats = QueueStats()
        self.history = ConsumedHistory(clock.now_ms)
        self.enqueue = Enqueue(waiters, catalog.by_arn, self.stats)

    async def load(self) -> None:
        self.enqueue.fair_queues = await self._db.run(message_rows.grouped_queue_ids)

    async def send(self, queue: QueueRecord, messages: list[NewMessage]) -> list[fifo.Sent] | None:
        """Store messages; for a FIFO queue, what became of each (its sequence number, or a duplicate)."""
        if not messages:
            return [] if queue.fifo else None

        def op(conn: sqlite3.Connection) -> Enqueued:
            enqueued = Enqueue.put(conn, queue, messages, self._clock.now_ms())
            if enqueued.missing:
                raise queue_does_not_exist()
            return enqueued

        enqueued = await self._db.run(op)
        self.enqueue.committed((enqueued,))
        return enqueued.sent

    async def receive(
        self,
        queue: QueueRecord,
        limit: int,
        visibility_s: int,
        wait_s: int,
        client_gone: ClientGone | None = None,
        attempt_id: str | None = None,
    ) -> list[MessageRecord]:
        deadline_ms = self._clock.now_ms() + wait_s * 1000
        gone: asyncio.Future[None] | None = None
        woken_before = keeps_timer = False
        while True:
            # Subscribed before claiming, so a send that commits meanwhile still wakes this receive.
            waker = self._waiters.subscribe(queue.id, first=woken_before)
            try:
                claim = await self._claim_once(queue, limit, visibility_s * 1000, wait_s > 0, attempt_id)
                if claim.dead_lettered_to is not None:
                    self._waiters.wake(claim.dead_lettered_to, claim.dead_lettered)
                if len(claim.messages) == limit:
                    self._waiters.wake(queue.id)  # a full claim: more may be waiting for the next in line
                if claim.messages or self._waiters.closing or self._clock.now_ms() >= deadline_ms:
                    if keeps_timer or (not claim.messages and waker.done()):
                        self._waiters.wake(queue.id)  # leaving: pass the wake-up (or the timer) on
                    self.stats.receive_ended(queue.id, len(claim.messages))
                    if claim.messages:
                        self.history.received(queue.id, claim.messages)
                    return claim.messages
                if gone is None and client_gone is not None:
                    gone = client_gone()
                if gone is not None:
                    gone.add_done_callback(wake := partial(_wake, waker))
                # The head of the line sleeps until the next message becomes visible, the others until
                # their deadlines: one receive per queue wakes when a visibility timeout ends.
                keeps_timer = claim.next_visible_ms is not None and self._waiters.first_in_line(
                    queue.id, waker
                )
                until = min(deadline_ms, claim.next_visible_ms or deadline_ms) if keeps_timer else deadline_ms
                timer_ms = self._waiters.timer(queue.id)
                if (
                    not keeps_timer
                    and claim.next_visible_ms is not None
                    and (timer_ms or deadline_ms) > claim.next_visible_ms
                ):
                    # The head of the line went to sleep before this message was in flight: woken, it looks
                    # again and takes the timer over, so the message is received when it is visible again.
                    self._waiters.wake(queue.id)
                with (
                    self._waiters.parked(queue.id),
                    self._waiters.holding_timer(queue.id, until) if keeps_timer else nullcontext(),
                ):
                    await self._clock.wait(waker, until)
                if gone is not None:
                    gone.remove_done_callback(wake)  # one callback per parked round, not one per wake-up
            finally:
                self._waiters.unsubscribe(queue.id, waker)
            if gone is not None and gone.done():
                self._waiters.wake(queue.id)  # the caller hung up: hand its wake-up (or timer) to the next
                return []  # claiming now would hide messages from everyone else
            woken_before = True
            queue = self._catalog.refresh(queue)  # deleted while we waited: NonExistentQueue

    def _hand_timer_to_head(self, queue_id: int, next_visible_ms: int | None, deadline_ms: int) -> None:
        """The head of the line may have gone to sleep before this message was in flight (so with no timer, or
        a later one): woken, it looks again and takes the timer over, and the message is received as soon as
        it is visible again rather than at some receiver's deadline."""
        if next_visible_ms is not None and (self._waiters.timer(queue_id) or deadline_ms) > next_visible_ms:
            self._waiters.wake(queue_id)

    def _redrive(self, queue: QueueRecord) -> Redrive | None:
        policy = redrive_policy(queue)
        target = self._catalog.by_arn(policy["deadLetterTargetArn"]) if policy else None
        if target is None:
            return None  # no policy, or its queue was deleted since: messages stay where they are
        retention_ms = int(target.attributes["MessageRetentionPeriod"]) * 1000
        return Redrive(
            int(policy["maxReceiveCount"]),
            moves.Target(target.id, target.fifo, retention_ms, queue_arn(queue)),
        )

    def _claim_rows(self, queue: QueueRecord) -> ClaimRows:
        if queue.fifo:
            return fifo.claim
        return fairness.claim if queue.id in self.enqueue.fair_queues else message_rows.claim

    def _claim(
        self,
        queue: QueueRecord,
        limits: list[int],
        visibility_ms: int,
        want_next: bool,
        attempt_id: str | None,
    ) -> Callable[[sqlite3.Connection], list[Claim]]:
        """One claim for receives asking `limits` messages each, split among them in order (oldest first)."""
        claim_rows = self._claim_rows(queue)
        redrive = self._redrive(queue)
        attempt_id = attempt_id if queue.fifo else None  # standard queues ignore ReceiveRequestAttemptId
        total = sum(limits)

        def op(conn: sqlite3.Connection) -> list[Claim]:
            now_ms = self._clock.now_ms()
            if attempt_id is not None:
                replayed = fifo.replay_attempt(conn, queue.id, attempt_id, now_ms, visibility_ms)
                if replayed is not None:
                    return [Claim(replayed, None)]
            claimed = claim_rows(conn, queue.id, now_ms, total, visibility_ms)
            dead_lettered = 0
            if redrive is not None and claimed:
                claimed, dead_lettered = _dead_letter(
                    conn, queue, redrive, claimed, claim_rows, total, visibility_ms, now_ms
                )
            if attempt_id is not None and claimed:
                fifo.record_attempt(conn, queue.id, attempt_id, claimed, now_ms)
            upcoming = None
            if want_next and len(claimed) <= total - limits[-1]:  # some receive goes without
                next_ms = fifo.next_ready_ms if queue.fifo else message_rows.next_visible_ms
                upcoming = next_ms(conn, queue.id, now_ms)
            target = redrive.target.queue_id if redrive and dead_lettered else None
            claims = []
            start = 0
            for limit in limits:
                claims.append(Claim(claimed[start : start + limit], upcoming))
                start += limit
            if target is not None:  # the first receive wakes the dead-letter queue's pollers
                claims[0] = replace(claims[0], dead_lettered_to=target, dead_lettered=dead_lettered)
            return claims

        return op

    def _claim_once(
        self, queue: QueueRecord, limit: int, visibility_ms: int, want_next: bool, attempt_id: str | None
    ) -> Awaitable[Claim]:
        """A receive's claim; shared with the receives of the same moment where order allows it (standard
        queues without fair scheduling: FIFO groups and fair tenants are chosen per receive)."""
        if queue.fifo or queue.id in self.enqueue.fair_queues:
            one = self._claim(queue, [limit], visibility_ms, want_next, attempt_id)
            return self._db.run(lambda conn: one(conn)[0])
        return self._claims.claim(
            (queue.id, visibility_ms, want_next),
            limit,
            lambda limits: self._claim(queue, limits, visibility_ms, want_next, None),
        )

    async def delete(
        self, queue: QueueRecord, handles: list[tuple[str, receipts.Receipt]]
    ) -> list[AwsError | None]:
        """Delete by (handle, receipt); per handle, None or the error AWS gives for it. Only FIFO queues
        refuse a handle: one whose visibility timeout has run out."""

        def op(conn: sqlite3.Connection) -> list[AwsError | None]:
            if not queue.fifo:
                message_rows.delete(conn, queue.id, [(r.row_id, r.message_id) for _, r in handles])
                return [None] * len(handles)
            expired = fifo.delete(
                conn,
                queue.id,
                [(r.row_id, r.message_id, r.receive_count) for _, r in handles],
                self._clock.now_ms(),
            )
            return [
                invalid_value("ReceiptHandle", handle, "The receipt handle has expired.") if stale else None
                for (handle, _), stale in zip(handles, expired, strict=True)
            ]

        results = await self._db.run(op)
        if queue.fifo:
            self._waiters.wake(queue.id, len(handles))  # their groups may be unlocked now
        self.stats.deleted[queue.id] += results.count(None)
        if queue.fifo:  # only FIFO queues refuse a handle
            self.history.deleted(
                queue.id,
                [r.message_id for (_, r), error in zip(handles, results, strict=True) if error is None],
            )
        else:
            self.history.deleted(queue.id, [r.message_id for _, r in handles])
        return results

    async def change_visibility(
        self, queue: QueueRecord, requests: list[VisibilityRequest]
    ) -> list[AwsError | None]:
        """Re-time each message; per request, None or the error AWS gives for it."""

        def op(conn: sqlite3.Connection) -> list[AwsError | None]:
            now_ms = self._clock.now_ms()
            results: list[AwsError | None] = []
            retimed: list[int] = []
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
                if changed and queue.fifo:
                    retimed.append(receipt.row_id)
                results.append(None if changed else _visibility_error(request, outcome))
            fifo.refresh_groups_of(conn, queue.id, retimed)  # a FIFO group's lock follows its messages
            return results

        results = await self._db.run(op)
        # A message made visible again may be what a long poll waits for.
        self._waiters.wake(queue.id, len(requests))
        return results

    async def counts(self, queue: QueueRecord) -> QueueCounts:
        return await self._db.read(lambda conn: message_rows.counts(conn, queue.id, self._clock.now_ms()))

    async def read_gauges(
        self, queue_ids: list[int], now_ms: int
    ) -> dict[int, tuple[QueueCounts, int | None]]:
        """Each queue's counts and its oldest message's send time, in one read (for the metrics)."""
        return await self._db.read(lambda conn: message_rows.gauges(conn, queue_ids, now_ms))

    async def peek(self, queue: QueueRecord, limit: int) -> list[MessageRecord]:
        return await self._db.read(
            lambda conn: message_rows.peek(conn, queue.id, self._clock.now_ms(), limit)
        )
