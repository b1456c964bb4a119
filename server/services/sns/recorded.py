"""What SNS sends where Posthouse has no network to send it (SMS, email, mobile push): kept, newest last, so
tests and the admin routes can see exactly what would have gone out."""

from __future__ import annotations

from collections import deque
from typing import Any

from server import ids
from server.services.sns.publish_rules import Publication

KEPT = 1000


class Recorded:
    def __init__(self) -> None:
        self.sms: deque[dict[str, Any]] = deque(maxlen=KEPT)

    def record_sms(self, phone_number: str, publication: Publication, now_ms: int) -> str:
        message_id = ids.uuid4()
        self.sms.append(
            {
                "MessageId": message_id,
                "PhoneNumber": phone_number,
                "Message": publication.message_for("sms"),
                "MessageAttributes": publication.attributes,
                "Timestamp": now_ms,
            }
        )
        return message_id

    def forget_all(self) -> None:
        self.sms.clear()
