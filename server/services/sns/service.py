"""The SNS service: its parts wired together."""

from __future__ import annotations

import secrets

from persistence import outbox
from persistence.engine import Database
from persistence.outbox import Delivery
from persistence.records import SubscriptionRecord, TopicRecord
from server.clock import Clock
from server.services.lambda_.event_invocations import EventInvocations
from server.services.sns.catalog import TopicCatalog
from server.services.sns.envelope import Envelopes
from server.services.sns.fanout import Fanout
from server.services.sns.http_delivery import HttpDeliveries
from server.services.sns.platforms import Platforms
from server.services.sns.recorded import Recorded
from server.services.sns.signing import Signer
from server.services.sns.stats import TopicStats
from server.services.sns.subscriptions import Subscriptions
from server.services.sqs.enqueue import Enqueue


class SnsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        enqueue: Enqueue,
        events: EventInvocations,
        key_directory: str | None,
        signed: bool = True,
        tls_port: int | None = None,
    ) -> None:
        self.clock = clock
        self.db = db
        self.catalog = TopicCatalog(db, clock)
        self.subscriptions = Subscriptions(db)
        self.signer = Signer(key_directory, signed, clock.now_ms, tls_port)
        self.recorded = Recorded()
        self.platforms = Platforms(db)
        self.stats = TopicStats()
        self.http = HttpDeliveries(
            db, clock, enqueue, self.catalog, self.subscriptions, self.recorded, self.stats
        )
        self.fanout = Fanout(
            db,
            clock,
            enqueue,
            events,
            self.subscriptions,
            self.signer,
            self.recorded,
            self.http.wake,
            self.stats,
        )

    async def start(self) -> None:
        await self.catalog.load()
        await self.subscriptions.load()
        await self.platforms.load()

    async def delete_topic(self, topic: TopicRecord) -> None:
        await self.catalog.delete(topic)
        self.subscriptions.forget_topic(topic.arn)

    async def send_confirmation(
        self, topic: TopicRecord, subscription: SubscriptionRecord, base_url: str
    ) -> None:
        """Queue the SubscriptionConfirmation an HTTP/S endpoint gets, with the token that confirms it."""
        message = (
            f"You have chosen to subscribe to the topic {topic.arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
        await self._send(
            topic, subscription, "SubscriptionConfirmation", subscription.token or "", message, base_url
        )

    async def unsubscribe(self, subscription: SubscriptionRecord, base_url: str) -> None:
        """Delete it; an HTTP/S endpoint is told, and its SubscribeURL would subscribe it again."""
        await self.subscriptions.unsubscribe(subscription)
        topic = self.catalog.get(subscription.topic_arn)
        if topic is not None and subscription.protocol in ("http", "https"):
            message = (
                f"You have chosen to deactivate subscription {subscription.arn}.\n"
                "To cancel this operation and restore the subscription, visit the SubscribeURL included in this"
                " message."
            )
            token = subscription.token or secrets.token_hex(128)
            self.subscriptions.unsubscribed(token, subscription)
            await self._send(topic, subscription, "UnsubscribeConfirmation", token, message, base_url)

    async def _send(
        self,
        topic: TopicRecord,
        subscription: SubscriptionRecord,
        kind: str,
        token: str,
        message: str,
        base_url: str,
    ) -> None:
        envelopes = Envelopes(self.signer, base_url, topic.attributes.get("SignatureVersion", "1"))
        message_id, body = envelopes.confirmation(kind, topic.arn, token, message, self.clock.now_ms())
        delivery = Delivery(subscription.arn, topic.arn, subscription.endpoint, kind, message_id, body, False)
        await self.db.run(lambda conn: outbox.insert(conn, [delivery], self.clock.now_ms()))
        self.http.wake()

    async def stop(self) -> None:
        await self.signer.close()

    def release_pollers(self) -> None:
        return None  # nothing of SNS waits on a client

    async def reset(self) -> None:
        await self.catalog.reset()
        self.subscriptions.forget_all()
        self.recorded.forget_all()
        self.platforms.forget_all()
        self.stats.forget()
