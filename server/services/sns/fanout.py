"""Publishing: one transaction puts a publish (or a batch of them) into every subscribed queue whose filter
policy matches, through SQS's enqueue, so a 200 means every queue has it. The same transaction queues the
Event invocation of every matching Lambda subscription's function, and the posts to HTTP/S subscribers.

A subscription whose queue (or function) is gone counts as a failed delivery, not a failed publish: with a RedrivePolicy
the message goes to the subscription's dead-letter queue (with AWS's ErrorCode/ErrorMessage/RequestID
attributes), in the same transaction; without one it is dropped, as SNS drops it after its retries.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from persistence import outbox, sns_fifo
from persistence.engine import Database
from persistence.outbox import Delivery
from persistence.records import NewMessage, QueueRecord, SubscriptionRecord, TopicRecord
from server import ids
from server.clock import Clock
from server.services.filter_policy import Facts
from server.services.lambda_.event_invocations import EventInvocations
from server.services.message_attributes import Attributes
from server.services.sns import subscription_rules
from server.services.sns.envelope import Envelopes, Notification, attributes_json
from server.services.sns.platforms import platform_of
from server.services.sns.publish_rules import Publication
from server.services.sns.recorded import Recorded
from server.services.sns.signing import Signer
from server.services.sns.stats import TopicStats
from server.services.sns.subscriptions import Subscriptions
from server.services.sqs.enqueue import Enqueue, Enqueued, Message
from server.services.timestamps import iso_millis

SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"
"""The SenderId SQS shows on messages SNS delivered."""
MAX_SQS_ATTRIBUTES = 10
_BARE = {"email", "sms", "application"}
"""Protocols that get the message itself, never an envelope."""

log = logging.getLogger("posthouse.sns.fanout")


def _signed(subscription: SubscriptionRecord) -> bool:
    """Whether what the subscription gets carries a signature (an envelope, or Lambda's event)."""
    if subscription.protocol in ("lambda", "email-json"):
        return True
    return subscription.protocol not in _BARE and not subscription_rules.is_raw(subscription)


class Published(NamedTuple):
    message_id: str
    sequence_number: str | None
    """A FIFO topic's: it grows with every message published to the topic."""

    def reply(self) -> dict[str, Any]:
        if self.sequence_number is None:
            return {"MessageId": self.message_id}
        return {"MessageId": self.message_id, "SequenceNumber": self.sequence_number}


def dedup_id(publication: Publication) -> str:
    """A FIFO publish's deduplication id: its own, or (content-based) the SHA-256 of its message."""
    return publication.dedup_id or hashlib.sha256(publication.message.encode()).hexdigest()


def _dedup_key(topic: TopicRecord, publication: Publication) -> str:
    if topic.attributes.get("FifoThroughputScope") == "MessageGroup":
        return f"{publication.group_id}\n{dedup_id(publication)}"
    return dedup_id(publication)


class _Item(NamedTuple):
    """One publication of a batch being delivered: its place in the batch, and what it became."""

    place: int
    publication: Publication
    notification: Notification


@dataclass
class _Batch:
    """Rows per queue, in publish order (FIFO queues keep it), each with the index of its publication."""

    queues: dict[int, tuple[QueueRecord, list[tuple[int, NewMessage]]]] = field(default_factory=dict)
    posts: list[Delivery] = field(default_factory=list)
    """For HTTP/S subscriptions: into the outbox, in the same transaction."""
    invocations: list[tuple[int, str, bytes]] = field(default_factory=list)
    """For Lambda subscriptions: (publication, function ARN, event), queued as Event invocations."""
    recorded: list[tuple[SubscriptionRecord, str]] = field(default_factory=list)
    """For protocols Posthouse does not send over a network: (subscription, payload)."""
    system_attributes: Attributes | None = None
    """AWSTraceHeader, from the publishing request's X-Amzn-Trace-Id, for every SQS copy."""

    def add(self, queue: QueueRecord, publication: int, row: NewMessage) -> None:
        self.queues.setdefault(queue.id, (queue, []))[1].append((publication, row))


def _failure(queue: QueueRecord | None, attributes: Attributes | None) -> tuple[str, str] | None:
    """Why a queue cannot take a delivery (SQS's error code and text), if it cannot."""
    if queue is None:
        return "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."
    if attributes is not None and len(attributes) > MAX_SQS_ATTRIBUTES:
        return (
            "InvalidParameterValue",
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_SQS_ATTRIBUTES}].",
        )
    return None


class Fanout:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        enqueue: Enqueue,
        events: EventInvocations,
        subscriptions: Subscriptions,
        signer: Signer,
        recorded: Recorded,
        posts_waiting: Callable[[], None],
        stats: TopicStats,
    ) -> None:
        self._recorded = recorded
        self._posts_waiting = posts_waiting
        """Tells the HTTP delivery worker that the outbox has more."""
        self._db = db
        self._clock = clock
        self._enqueue = enqueue
        self._events = events
        self._subscriptions = subscriptions
        self._signer = signer
        self._last_sequence = 0
        self.stats = stats

    def _sequence_number(self, now_ms: int) -> str:
        """128-bit-looking, ever growing, and still growing after a restart: the time, then a counter."""
        self._last_sequence = max(self._last_sequence + 1, now_ms << 20)
        return f"{self._last_sequence:020d}"

    async def publish(
        self,
        topic: TopicRecord,
        publications: list[Publication],
        base_url: str,
        request_id: str,
        trace_header: str | None = None,
    ) -> list[Published]:
        """Deliver each publication to the topic's subscribed queues; what each became, in order. A trace
        header (the Publish request's X-Amzn-Trace-Id) becomes each SQS copy's AWSTraceHeader."""
        now_ms = self._clock.now_ms()
        envelopes = Envelopes(self._signer, base_url, topic.attributes.get("SignatureVersion", "1"))
        deliveries = []
        for publication in publications:
            notification = Notification(
                ids.uuid4(),
                topic.arn,
                publication.subject,
                iso_millis(now_ms),
                attributes_json(publication.attributes),
                self._sequence_number(now_ms) if topic.fifo else None,
            )
            facts = Facts(publication.attributes, publication.message)
            matched = self._subscriptions.matching(topic.arn, facts)
            deliveries.append((publication, notification, matched))
            self.stats.filtered_out[topic.arn] += self._subscriptions.count_of_topic(topic.arn) - len(matched)
        self.stats.published[topic.arn] += len(publications)
        await envelopes.sign(
            (notification, publication.message_for(s.protocol))
            for publication, notification, matched in deliveries
            for s in matched
            if _signed(s)
        )
        batch = _Batch()
        if trace_header:
            batch.system_attributes = {"AWSTraceHeader": {"DataType": "String", "StringValue": trace_header}}
        for index, (publication, notification, matched) in enumerate(deliveries):
            item = _Item(index, publication, notification)
            for subscription in matched:
                try:
                    if self._deliver(batch, item, subscription, envelopes, now_ms, request_id):
                        self.stats.delivered[topic.arn] += 1
                except Exception:  # one subscription's failed delivery, never a failed publish
                    log.exception("delivery to %s failed; dropped", subscription.arn)
                    self.stats.failed[topic.arn] += 1
        published = [Published(n.message_id, n.sequence_number) for _, n, _ in deliveries]
        if topic.fifo:  # deduplicated in the transaction that delivers, so a duplicate goes nowhere
            keys = [_dedup_key(topic, publication) for publication in publications]
            enqueued, published = await self._db.run(
                lambda conn: self._store_fifo(conn, topic.arn, keys, published, batch, now_ms)
            )
            self._enqueue.committed(enqueued)
        elif batch.queues or batch.posts or batch.invocations:
            self._enqueue.committed(await self._db.run(lambda conn: self._store(conn, batch, now_ms, set())))
            if batch.posts:
                self._posts_waiting()
        if batch.invocations:
            self._events.committed()
        for subscription, payload in batch.recorded:
            self._recorded.record_message(
                subscription.arn, subscription.protocol, subscription.endpoint, payload, now_ms
            )
        return published

    def _deliver(
        self,
        batch: _Batch,
        item: _Item,
        subscription: SubscriptionRecord,
        envelopes: Envelopes,
        now_ms: int,
        request_id: str,
    ) -> bool:
        """Whether it is delivered now (an HTTP/S delivery is counted when its attempt ends, and a parked
        one by `_park`)."""
        if subscription.protocol == "sqs":
            return self._to_queue(batch, item, subscription, envelopes, now_ms, request_id)
        self._to_elsewhere(batch, subscription, item.publication, item.notification, envelopes)
        if subscription.protocol == "lambda":
            return self._to_function(batch, item, subscription, now_ms, request_id)
        return subscription.protocol not in ("http", "https")

    def _to_queue(
        self,
        batch: _Batch,
        item: _Item,
        subscription: SubscriptionRecord,
        envelopes: Envelopes,
        now_ms: int,
        request_id: str,
    ) -> bool:
        _, publication, notification = item
        message = publication.message_for("sqs")
        attributes: Attributes | None = None
        if subscription_rules.is_raw(subscription):
            body, attributes = message, publication.attributes or None
        else:
            body = envelopes.envelope(notification, message, subscription.arn)
        queue = self._enqueue.queue(subscription.endpoint)
        failure = _failure(queue, attributes)
        if failure is not None:
            self._park(batch, item, subscription, body, failure, now_ms, request_id)
            return False
        assert queue is not None
        self._put(batch, item, queue, body, attributes, now_ms)
        return True

    def _put(
        self,
        batch: _Batch,
        item: _Item,
        queue: QueueRecord,
        body: str,
        attributes: Attributes | None,
        now_ms: int,
    ) -> None:
        index, publication, notification = item
        group_id, dedup = publication.group_id, None
        if queue.fifo:  # the topic's deduplication id, or (content-based) the message's digest
            dedup = dedup_id(publication)
        elif notification.sequence_number is not None:
            group_id = None  # a FIFO topic's groups do not follow it into a standard queue
        message = Message(body, SENDER_ID, attributes, batch.system_attributes, group_id, dedup)
        row = self._enqueue.row(queue, message, now_ms)
        batch.add(queue, index, row)

    def _to_function(
        self, batch: _Batch, item: _Item, subscription: SubscriptionRecord, now_ms: int, request_id: str
    ) -> bool:
        """The Lambda event `_to_elsewhere` recorded, queued as the function's Event invocation."""
        event = batch.recorded[-1][1]
        function_arn = self._events.function_arn(subscription.endpoint)
        if function_arn is None:
            failure = ("ResourceNotFoundException", f"Function not found: {subscription.endpoint}")
            self._park(batch, item, subscription, event, failure, now_ms, request_id)
            return False
        batch.invocations.append((item.place, function_arn, event.encode()))
        return True

    def _park(
        self,
        batch: _Batch,
        item: _Item,
        subscription: SubscriptionRecord,
        body: str,
        failure: tuple[str, str],
        now_ms: int,
        request_id: str,
    ) -> None:
        """A failed delivery, into the subscription's dead-letter queue as SNS parks it: the raw message with
        its own attributes (raw delivery), or the envelope (`failure` is only logged: the ErrorCode,
        ErrorMessage and RequestID attributes are what Lambda's dead-letter queues add, not SNS's)."""
        queue = self._dead_letter_queue(subscription)
        if queue is None or (queue.fifo and item.publication.group_id is None):
            self.stats.failed[subscription.topic_arn] += 1
            return  # dropped, as SNS drops what it cannot deliver and has nowhere (fit) to park
        self.stats.redriven[subscription.topic_arn] += 1
        log.info("delivery to %s failed (%s: %s); parked", subscription.arn, *failure)
        raw = subscription_rules.is_raw(subscription) and subscription.protocol == "sqs"
        self._put(batch, item, queue, body, (item.publication.attributes or None) if raw else None, now_ms)

    @staticmethod
    def _to_elsewhere(
        batch: _Batch,
        subscription: SubscriptionRecord,
        publication: Publication,
        notification: Notification,
        envelopes: Envelopes,
    ) -> None:
        protocol = subscription.protocol
        message = publication.message_for(
            platform_of(subscription.endpoint) if protocol == "application" else protocol
        )
        raw = subscription_rules.is_raw(subscription)
        if subscription.protocol == "lambda":
            payload = envelopes.lambda_event(notification, message, subscription.arn, publication.attributes)
        elif raw or subscription.protocol in _BARE:
            payload = message
        else:
            payload = envelopes.envelope(notification, message, subscription.arn)
        if subscription.protocol in ("http", "https"):
            batch.posts.append(
                Delivery(
                    subscription.arn,
                    subscription.topic_arn,
                    subscription.endpoint,
                    "Notification",
                    notification.message_id,
                    payload,
                    raw,
                )
            )
        else:
            batch.recorded.append((subscription, payload))

    def _dead_letter_queue(self, subscription: SubscriptionRecord) -> QueueRecord | None:
        policy = subscription_rules.redrive_policy(subscription)
        return self._enqueue.queue(policy["deadLetterTargetArn"]) if policy else None

    def _store(
        self, conn: sqlite3.Connection, batch: _Batch, now_ms: int, duplicates: set[int]
    ) -> list[Enqueued]:
        """Everything but the duplicates' rows, into the queues, the outbox and Lambda's Event invocations."""
        if batch.posts:
            outbox.insert(conn, batch.posts, now_ms)
        for index, function_arn, event in batch.invocations:
            if index not in duplicates:
                self._events.put(conn, function_arn, ids.uuid4(), event, now_ms)
        enqueued = []
        for queue, indexed in batch.queues.values():
            rows = [row for index, row in indexed if index not in duplicates]
            if rows:
                enqueued.append(Enqueue.put(conn, queue, rows, now_ms))
        return enqueued

    def _store_fifo(
        self,
        conn: sqlite3.Connection,
        topic_arn: str,
        keys: list[str],
        published: list[Published],
        batch: _Batch,
        now_ms: int,
    ) -> tuple[list[Enqueued], list[Published]]:
        """A FIFO topic's publishes: a duplicate (within five minutes, in this batch too) answers what it
        duplicates and is not delivered."""
        sns_fifo.sweep(conn, now_ms)
        answers, duplicates = list(published), set()
        for index, key in enumerate(keys):
            first = sns_fifo.first_published(conn, topic_arn, key, now_ms)
            if first is None:
                message_id, sequence_number = published[index]
                sns_fifo.remember(conn, topic_arn, key, message_id, sequence_number or "", now_ms)
            else:
                answers[index] = Published(*first)
                duplicates.add(index)
        return self._store(conn, batch, now_ms, duplicates), answers
