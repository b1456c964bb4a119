"""The topics: kept in memory for lookups, written through to storage (the source of truth). Deleting a topic
(or all of them) deletes its subscriptions in the same transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from persistence import outbox, sns_fifo, sns_platforms, sns_settings
from persistence import subscriptions as subscription_rows
from persistence import topics as topic_rows
from persistence.engine import Database
from persistence.records import TopicRecord
from server.clock import Clock
from server.context import RequestContext
from server.services.sns import topic_rules
from server.services.sns.arns import checked_topic_arn, topic_arn
from server.services.sns.errors import invalid_parameter, tag_limit_exceeded, topic_not_found


class TopicCatalog:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._by_arn: dict[str, TopicRecord] = {}

    async def load(self) -> None:
        self._by_arn = {t.arn: t for t in await self._db.read(topic_rows.load_all)}

    async def reset(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            topic_rows.delete_all(conn)
            subscription_rows.delete_all(conn)
            outbox.delete_all(conn)
            sns_fifo.delete_all(conn)
            sns_platforms.delete_all(conn)
            sns_settings.delete_all(conn)

        await self._db.run(op)
        self._by_arn.clear()

    def find(
        self, ctx: RequestContext, arn: str, parameter: str = "TopicArn", *, any_region: bool = False
    ) -> TopicRecord:
        topic = self._by_arn.get(checked_topic_arn(ctx, arn, parameter, any_region=any_region))
        if topic is None:
            raise topic_not_found()
        return topic

    def all(self) -> list[TopicRecord]:
        return list(self._by_arn.values())

    def get(self, arn: str) -> TopicRecord | None:
        return self._by_arn.get(arn)

    def in_scope(self, ctx: RequestContext) -> list[TopicRecord]:
        """The caller's topics in its region, in ARN order (ListTopics pages through them)."""
        mine = [t for t in self._by_arn.values() if t.account == ctx.account and t.region == ctx.region]
        return sorted(mine, key=lambda t: t.arn)

    async def create(
        self, ctx: RequestContext, name: str, attributes: dict[str, str], tags: dict[str, str]
    ) -> TopicRecord:
        fifo = attributes.get("FifoTopic", "false").lower() == "true"
        topic_rules.check_name(name, fifo)
        for attribute, value in attributes.items():
            if attribute != "FifoTopic":
                topic_rules.check_attribute(attribute, value, fifo)
        existing = self._by_arn.get(topic_arn(ctx, name))
        if existing is not None:
            if not topic_rules.same_as_existing(existing, attributes):
                raise invalid_parameter("Attributes Reason: Topic already exists with different attributes")
            if any(existing.tags.get(key) != value for key, value in tags.items()):
                raise invalid_parameter("Tags Reason: Topic already exists with different tags")
            return existing
        if len(tags) > topic_rules.MAX_TAGS:
            raise tag_limit_exceeded()
        stored = {k: v for k, v in attributes.items() if k != "FifoTopic"} | (
            {"FifoTopic": "true"} if fifo else {}
        )
        topic = TopicRecord(
            topic_arn(ctx, name), ctx.account, ctx.region, name, stored, tags, self._clock.now_ms() // 1000
        )
        await self._db.run(lambda conn: topic_rows.insert(conn, topic))
        self._by_arn[topic.arn] = topic
        return topic

    async def delete(self, topic: TopicRecord) -> None:
        """The topic and its subscriptions, in one transaction."""

        def op(conn: sqlite3.Connection) -> None:
            topic_rows.delete(conn, topic.arn)
            subscription_rows.delete_of_topic(conn, topic.arn)
            sns_fifo.delete_of_topic(conn, topic.arn)

        await self._db.run(op)
        self._by_arn.pop(topic.arn, None)

    async def set_attribute(self, topic: TopicRecord, name: str, value: str) -> None:
        topic_rules.check_attribute(name, value, topic.fifo)
        await self._save(replace(topic, attributes=topic.attributes | {name: value}))

    async def tag(self, topic: TopicRecord, tags: dict[str, str]) -> None:
        merged = topic.tags | tags
        if len(merged) > topic_rules.MAX_TAGS:
            raise tag_limit_exceeded()
        await self._save(replace(topic, tags=merged))

    async def untag(self, topic: TopicRecord, keys: list[str]) -> None:
        await self._save(replace(topic, tags={k: v for k, v in topic.tags.items() if k not in keys}))

    async def _save(self, topic: TopicRecord) -> None:
        await self._db.run(lambda conn: topic_rows.update(conn, topic))
        self._by_arn[topic.arn] = topic
