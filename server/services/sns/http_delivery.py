"""HTTP/S deliveries: a supervised worker sends what the outbox holds, as AWS sends it, and retries what fails
on the schedule of the subscription's (or topic's) delivery policy. After the last retry the subscription's
dead-letter queue gets the message (in the transaction that drops it from the outbox); without one, it is
dropped. Every wait goes through the clock, so tests can drive retries.

Requests never reach the cloud metadata addresses (the endpoint's name is resolved and checked before each
attempt) and redirects are not followed. As on AWS, only a server-side failure is retried: a 5xx, a status
outside 200-599, no answer, a connection error; a 3xx or 4xx ends the delivery.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING

from persistence import outbox
from persistence.engine import Database
from persistence.outbox import Pending
from persistence.records import SubscriptionRecord
from server.clock import Clock
from server.services import outbound
from server.services.due_work import DueWork
from server.services.outbound import Refused, check_destination
from server.services.sns import subscription_rules
from server.services.sns.catalog import TopicCatalog
from server.services.sns.delivery_policy import http_policy
from server.services.sns.fanout import SENDER_ID
from server.services.sns.recorded import Recorded
from server.services.sns.stats import TopicStats
from server.services.sns.subscriptions import Subscriptions
from server.services.sqs.enqueue import Enqueue, Enqueued, Message

if TYPE_CHECKING:  # httpx itself is imported at the first delivery: start-up does not pay for it
    import httpx

log = logging.getLogger("posthouse.sns.http")
USER_AGENT = "Amazon Simple Notification Service Agent"

AT_ONCE = 64
"""Deliveries in flight at a time."""
TIMEOUT_S = 15.0
REPLY_LIMIT = 64 * 1024
"""Bytes of a subscriber's reply read at most (the rest is not waited for)."""


class HttpDeliveries:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        enqueue: Enqueue,
        catalog: TopicCatalog,
        subscriptions: Subscriptions,
        recorded: Recorded,
        stats: TopicStats,
    ) -> None:
        self._stats = stats
        self._db = db
        self._clock = clock
        self._enqueue = enqueue
        self._catalog = catalog
        self._subscriptions = subscriptions
        self._recorded = recorded
        self._next_allowed_ms: dict[str, int] = {}
        self._client: httpx.AsyncClient | None = None
        self._work: DueWork[Pending] = DueWork(clock, self._due, self._next_due, self._attempt, AT_ONCE)

    def wake(self) -> None:
        """New deliveries are in the outbox."""
        self._work.wake()

    async def run(self) -> None:
        """The worker: until cancelled, send what is due, then wait for the next due time or a wake-up."""
        try:
            await self._work.run()
        finally:
            if self._client is not None:
                await self._client.aclose()
                self._client = None

    def _http_client(self) -> httpx.AsyncClient:
        """The pooled client, made at the first delivery."""
        if self._client is None:
            import httpx

            self._client = outbound.client(
                timeout=httpx.Timeout(TIMEOUT_S, connect=5.0),
                limits=httpx.Limits(max_connections=AT_ONCE, max_keepalive_connections=AT_ONCE),
            )
        return self._client

    async def _due(self, now_ms: int, limit: int, skip: set[int]) -> list[Pending]:
        return await self._db.read(lambda conn: outbox.due(conn, now_ms, limit, skip))

    async def _next_due(self, skip: set[int]) -> int | None:
        return await self._db.read(lambda conn: outbox.next_due_ms(conn, skip))

    async def _attempt(self, pending: Pending) -> None:
        await self._deliver(self._http_client(), pending)

    async def _deliver(self, client: httpx.AsyncClient, pending: Pending) -> None:
        delivery = pending.delivery
        subscription = self._subscriptions.get(delivery.subscription_arn)
        if delivery.kind == "Notification" and (subscription is None or subscription.pending):
            await self._db.run(lambda conn: outbox.delete(conn, pending.id))  # unsubscribed since
            return
        policy = http_policy(self._catalog.get(delivery.topic_arn), subscription)
        now_ms = self._clock.now_ms()
        if policy.max_per_second is not None:
            allowed_ms = self._next_allowed_ms.get(delivery.subscription_arn, 0)
            if now_ms < allowed_ms:  # throttled: later, without counting an attempt
                await self._db.run(
                    lambda conn: outbox.reschedule(conn, pending.id, pending.attempts, allowed_ms)
                )
                return
            self._next_allowed_ms[delivery.subscription_arn] = now_ms + int(1000 / policy.max_per_second)
        status, problem = await self._post(client, pending, policy.content_type)
        attempt = pending.attempts + 1
        self._recorded.delivery_attempt(delivery, attempt, status, problem, self._clock.now_ms())
        if status is not None and 200 <= status < 500:
            # AWS retries only server-side failures (a 5xx, a status outside 200-599, no answer within 15 s, a
            # connection or TLS error): a 3xx or 4xx answer ends the delivery, with no retry and no parking.
            await self._db.run(lambda conn: outbox.delete(conn, pending.id))
            if delivery.kind == "Notification":
                outcome = self._stats.delivered if status < 300 else self._stats.failed
                outcome[delivery.topic_arn] += 1
            return
        delay_s = policy.retry.delay_s(attempt)
        if delay_s is not None:
            due_ms = self._clock.now_ms() + int(delay_s * 1000)
            await self._db.run(lambda conn: outbox.reschedule(conn, pending.id, attempt, due_ms))
            return
        await self._give_up(pending, subscription, problem or f"HTTP status {status}")

    async def _post(
        self, client: httpx.AsyncClient, pending: Pending, content_type: str
    ) -> tuple[int | None, str]:
        import httpx

        delivery = pending.delivery
        headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            "x-amz-sns-message-type": delivery.kind,
            "x-amz-sns-message-id": delivery.message_id,
            "x-amz-sns-topic-arn": delivery.topic_arn,
        }
        if delivery.kind == "Notification":
            headers["x-amz-sns-subscription-arn"] = delivery.subscription_arn
        if delivery.raw:
            headers["x-amz-sns-rawdelivery"] = "true"
        try:
            url = httpx.URL(delivery.endpoint)
            await check_destination(url)
            async with client.stream("POST", url, content=delivery.body.encode(), headers=headers) as reply:
                read = 0
                async for chunk in reply.aiter_bytes():
                    read += len(chunk)
                    if read >= REPLY_LIMIT:
                        break
                return reply.status_code, ""
        except Refused as refused:
            return None, str(refused)
        except (httpx.HTTPError, OSError, ValueError) as error:
            return None, f"{type(error).__name__}: {error}"

    async def _give_up(self, pending: Pending, subscription: SubscriptionRecord | None, problem: str) -> None:
        """Drop it from the outbox; into the subscription's dead-letter queue if it has one."""
        policy = subscription_rules.redrive_policy(subscription) if subscription else None
        queue = self._enqueue.queue(policy["deadLetterTargetArn"]) if policy else None
        rows = []
        if (
            queue is not None
        ):  # what was being delivered, as SNS parks it (ErrorCode and friends are Lambda's)
            log.info(
                "delivery %s to %s given up (%s); parked", pending.id, pending.delivery.endpoint, problem
            )
            message = Message(pending.delivery.body, SENDER_ID)
            rows = [self._enqueue.row(queue, message, self._clock.now_ms())]

        def op(conn: sqlite3.Connection) -> list[Enqueued]:
            outbox.delete(conn, pending.id)
            return [Enqueue.put(conn, queue, rows, self._clock.now_ms())] if queue is not None else []

        self._enqueue.committed(await self._db.run(op))
        if pending.delivery.kind == "Notification":
            (self._stats.redriven if queue is not None else self._stats.failed)[
                pending.delivery.topic_arn
            ] += 1
