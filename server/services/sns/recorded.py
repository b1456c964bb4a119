"""What SNS sent, and what it would have sent where Posthouse has no network to send it (SMS, e-mail,
Lambda until functions run, mobile push, Firehose): kept in memory, newest last and bounded, so tests and the
admin routes can see exactly what went out and how each HTTP attempt ended."""

from __future__ import annotations

from collections import deque
from typing import Any

from persistence.outbox import Delivery
from server import ids
from server.services.message_attributes import Attributes

KEPT = 1000
ATTEMPTS_KEPT = 100
"""Per subscription."""


class Recorded:
    def __init__(self) -> None:
        self.sms: deque[dict[str, Any]] = deque(maxlen=KEPT)
        self.messages: deque[dict[str, Any]] = deque(maxlen=KEPT)
        """Deliveries to e-mail, e-mail-json, sms, lambda, application and firehose subscriptions."""
        self.attempts: dict[str, deque[dict[str, Any]]] = {}
        """HTTP/S attempts, per subscription ARN."""

    def record_sms(self, phone_number: str, message: str, attributes: Attributes, now_ms: int) -> str:
        message_id = ids.uuid4()
        self.sms.append(
            {
                "MessageId": message_id,
                "PhoneNumber": phone_number,
                "Message": message,
                "MessageAttributes": attributes,
                "Timestamp": now_ms,
            }
        )
        return message_id

    def record_message(
        self, subscription_arn: str, protocol: str, endpoint: str, payload: str, now_ms: int
    ) -> None:
        self.messages.append(
            {
                "SubscriptionArn": subscription_arn,
                "Protocol": protocol,
                "Endpoint": endpoint,
                "Payload": payload,
                "Timestamp": now_ms,
            }
        )

    def delivery_attempt(
        self, delivery: Delivery, attempt: int, status: int | None, problem: str, now_ms: int
    ) -> None:
        kept = self.attempts.setdefault(delivery.subscription_arn, deque(maxlen=ATTEMPTS_KEPT))
        kept.append(
            {
                "MessageId": delivery.message_id,
                "Type": delivery.kind,
                "Attempt": attempt,
                "Status": status,
                "Delivered": status is not None and 200 <= status < 300,
                "Problem": problem or None,
                "Timestamp": now_ms,
            }
        )

    def forget_all(self) -> None:
        self.sms.clear()
        self.messages.clear()
        self.attempts.clear()
