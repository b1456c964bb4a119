"""What other services call to publish to a topic (Lambda's destinations and dead-letter topics): a plain
message with attributes, fanned out as any Publish is, in its own transaction (see topic_publishing.py)."""

from __future__ import annotations

from server.services.message_attributes import Attributes
from server.services.sns.catalog import TopicCatalog
from server.services.sns.fanout import Fanout
from server.services.sns.publish_rules import Publication
from server.services.topic_publishing import TopicPublishing


class TopicPublisher(TopicPublishing):
    def __init__(self, catalog: TopicCatalog, fanout: Fanout, base_url: str) -> None:
        self._catalog = catalog
        self._fanout = fanout
        self._base_url = base_url
        """Where the envelopes' SigningCertURL and UnsubscribeURL point."""

    async def publish(self, topic_arn: str, message: str, attributes: Attributes, request_id: str) -> bool:
        """Whether the topic took it: False when it does not exist or is FIFO (which needs a group)."""
        topic = self._catalog.get(topic_arn)
        if topic is None or topic.fifo:
            return False
        size = len(message.encode()) + sum(len(n) + len(str(v)) for n, v in attributes.items())
        publication = Publication(message, None, None, attributes, None, None, size)
        await self._fanout.publish(topic, [publication], self._base_url, request_id)
        return True
