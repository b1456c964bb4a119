"""The subscriptions: kept in memory per topic for fan-out, written through to storage."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import replace

from persistence import subscriptions as subscription_rows
from persistence.engine import Database
from persistence.records import SubscriptionRecord, TopicRecord
from server import ids
from server.context import RequestContext
from server.errors import AwsError
from server.services.filter_policy import Facts
from server.services.sns import subscription_rules
from server.services.sns.errors import invalid_parameter, subscription_not_found
from server.services.sns.routing import TopicRoutes

UNSUBSCRIBED_KEPT = 1000


class Subscriptions:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_arn: dict[str, SubscriptionRecord] = {}
        self._by_topic: dict[str, dict[str, SubscriptionRecord]] = {}
        self._by_endpoint: dict[tuple[str, str, str], str] = {}
        """(topic, protocol, endpoint) -> subscription ARN: a topic subscribes an endpoint once."""
        self._routes: dict[str, TopicRoutes] = {}
        """Per topic: its subscriptions with their compiled filter policies, filed for publishing."""
        self._unsubscribed: OrderedDict[str, SubscriptionRecord] = OrderedDict()
        """UnsubscribeConfirmation token -> the subscription it deleted (its SubscribeURL restores it); the
        latest UNSUBSCRIBED_KEPT, in memory."""

    async def load(self) -> None:
        self.forget_all()
        for subscription in await self._db.read(subscription_rows.load_all):
            self._remember(subscription)

    def forget_all(self) -> None:
        self._by_arn.clear()
        self._by_endpoint.clear()
        self._by_topic.clear()
        self._routes.clear()

    def forget_topic(self, topic_arn: str) -> None:
        for arn, subscription in self._by_topic.pop(topic_arn, {}).items():
            self._by_arn.pop(arn, None)
            self._by_endpoint.pop((topic_arn, subscription.protocol, subscription.endpoint), None)
        self._routes.pop(topic_arn, None)

    def matching(self, topic_arn: str, facts: Facts) -> list[SubscriptionRecord]:
        """The topic's confirmed subscriptions whose filter policy (if any) accepts the message."""
        routes = self._routes.get(topic_arn)
        return routes.matching(facts) if routes is not None else []

    def count_of_topic(self, topic_arn: str) -> int:
        return len(self._by_topic.get(topic_arn, {}))

    def of_topic(self, topic_arn: str) -> list[SubscriptionRecord]:
        return list(self._by_topic.get(topic_arn, {}).values())

    def all(self) -> list[SubscriptionRecord]:
        return list(self._by_arn.values())

    def find(self, arn: str) -> SubscriptionRecord:
        subscription = self._by_arn.get(arn)
        if subscription is None:
            raise subscription_not_found()
        return subscription

    def get(self, arn: str) -> SubscriptionRecord | None:
        return self._by_arn.get(arn)

    async def subscribe(
        self,
        ctx: RequestContext,
        topic: TopicRecord,
        protocol: str,
        endpoint: str,
        attributes: dict[str, str],
    ) -> SubscriptionRecord:
        for name, value in attributes.items():
            try:
                subscription_rules.check_attribute(name, value, protocol, topic)
            except AwsError as error:  # at Subscribe, AWS says which parameter held it
                raise invalid_parameter(
                    "Attributes Reason: " + error.message.removeprefix("Invalid parameter: ")
                ) from None
        wanted = {name: subscription_rules.normalised(name, value) for name, value in attributes.items()}
        try:
            subscription_rules.filter_policy(wanted)
        except AwsError as error:
            raise invalid_parameter(
                "Attributes Reason: " + error.message.removeprefix("Invalid parameter: ")
            ) from None
        existing = self._by_arn.get(self._by_endpoint.get((topic.arn, protocol, endpoint), ""))
        if existing is not None:
            current = subscription_rules.attributes_view(existing)
            if any(current.get(name) != value for name, value in wanted.items()):
                raise invalid_parameter(
                    "Attributes Reason: Subscription already exists with different attributes"
                )
            return existing
        pending = protocol not in subscription_rules.CONFIRMED_AT_ONCE
        subscription = SubscriptionRecord(
            arn=f"{topic.arn}:{ids.uuid4()}",
            topic_arn=topic.arn,
            protocol=protocol,
            endpoint=endpoint,
            owner=ctx.account,
            attributes=wanted,
            pending=pending,
            token=secrets.token_hex(128) if pending else None,  # AWS's tokens: 256 lowercase hex digits
        )
        await self._save(subscription)
        return subscription

    async def confirm(self, topic: TopicRecord, token: str) -> SubscriptionRecord:
        if len(token) < 32 or any(c not in "0123456789abcdef" for c in token):
            raise AwsError("InvalidParameter", "Invalid token", shape="InvalidParameterException")
        for subscription in self.of_topic(topic.arn):
            if subscription.token == token:
                if subscription.pending:
                    subscription = replace(subscription, pending=False)
                    await self._save(subscription)
                return subscription
        restored = self._unsubscribed.get(token)
        if restored is not None and restored.topic_arn == topic.arn:  # an UnsubscribeConfirmation's link
            del self._unsubscribed[token]
            restored = replace(restored, pending=False)
            await self._save(restored)
            return restored
        raise invalid_parameter("Token")

    def unsubscribed(self, token: str, subscription: SubscriptionRecord) -> None:
        """Remember what an UnsubscribeConfirmation's SubscribeURL (with `token`) would restore."""
        self._unsubscribed[token] = subscription
        while len(self._unsubscribed) > UNSUBSCRIBED_KEPT:
            self._unsubscribed.popitem(last=False)

    async def set_attribute(
        self, subscription: SubscriptionRecord, topic: TopicRecord, name: str, value: str
    ) -> None:
        subscription_rules.check_attribute(name, value, subscription.protocol, topic)
        attributes = subscription.attributes | {name: subscription_rules.normalised(name, value)}
        subscription_rules.filter_policy(attributes)  # a new policy, or the old one under a new scope
        await self._save(replace(subscription, attributes=attributes))

    async def unsubscribe(self, subscription: SubscriptionRecord) -> None:
        await self._db.run(lambda conn: subscription_rows.delete(conn, subscription.arn))
        self._by_arn.pop(subscription.arn, None)
        self._by_topic.get(subscription.topic_arn, {}).pop(subscription.arn, None)
        self._by_endpoint.pop((subscription.topic_arn, subscription.protocol, subscription.endpoint), None)
        if routes := self._routes.get(subscription.topic_arn):
            routes.remove(subscription.arn)

    async def _save(self, subscription: SubscriptionRecord) -> None:
        await self._db.run(lambda conn: subscription_rows.save(conn, subscription))
        self._remember(subscription)

    def _remember(self, subscription: SubscriptionRecord) -> None:
        self._by_arn[subscription.arn] = subscription
        self._by_endpoint[subscription.topic_arn, subscription.protocol, subscription.endpoint] = (
            subscription.arn
        )
        self._by_topic.setdefault(subscription.topic_arn, {})[subscription.arn] = subscription
        policy = subscription_rules.filter_policy(subscription.attributes)
        self._routes.setdefault(subscription.topic_arn, TopicRoutes()).add(subscription, policy)
