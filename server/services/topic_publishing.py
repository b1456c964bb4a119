"""Publishing to an SNS topic from another service, as the platform offers it: SNS implements it, Lambda's
destinations use it. Here, not in SNS's package, because SNS itself builds on Lambda (it queues Event
invocations), and packages depend on each other one way only."""

from __future__ import annotations

from server.services.message_attributes import Attributes


class TopicPublishing:
    """The API; SNS offers its implementation (a subclass) under this type."""

    async def publish(self, topic_arn: str, message: str, attributes: Attributes, request_id: str) -> bool:
        """Fan the message out as a Publish would; whether the topic took it (False: none, or FIFO)."""
        raise NotImplementedError
