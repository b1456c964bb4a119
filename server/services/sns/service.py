"""The SNS service: its parts wired together."""

from __future__ import annotations

from persistence.engine import Database
from persistence.records import TopicRecord
from server.clock import Clock
from server.services.sns.catalog import TopicCatalog
from server.services.sns.fanout import Fanout
from server.services.sns.recorded import Recorded
from server.services.sns.signing import Signer
from server.services.sns.subscriptions import Subscriptions
from server.services.sqs.enqueue import Enqueue


class SnsService:
    def __init__(self, db: Database, clock: Clock, enqueue: Enqueue, key_directory: str | None) -> None:
        self.clock = clock
        self.catalog = TopicCatalog(db, clock)
        self.subscriptions = Subscriptions(db)
        self.signer = Signer(key_directory)
        self.fanout = Fanout(db, clock, enqueue, self.subscriptions, self.signer)
        self.recorded = Recorded()

    async def start(self) -> None:
        self.signer.load()
        await self.catalog.load()
        await self.subscriptions.load()

    async def delete_topic(self, topic: TopicRecord) -> None:
        await self.catalog.delete(topic)
        self.subscriptions.forget_topic(topic.arn)

    async def stop(self) -> None:
        return None

    def release_pollers(self) -> None:
        return None  # nothing of SNS waits on a client

    async def reset(self) -> None:
        await self.catalog.reset()
        self.subscriptions.forget_all()
        self.recorded.forget_all()
