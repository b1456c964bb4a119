"""What each topic has done since the server started, as CloudWatch counts it: NumberOfMessagesPublished,
NumberOfNotificationsDelivered, …Failed, …FilteredOut and …RedrivenToDlq. Plain counters by topic ARN, bumped
as it happens (HTTP/S deliveries when their attempt ends) and read only when metrics are scraped. FilteredOut
counts the subscriptions a message did not go to, those still pending confirmation included."""

from __future__ import annotations

from collections import Counter


class TopicStats:
    def __init__(self) -> None:
        self.published: Counter[str] = Counter()
        self.delivered: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.filtered_out: Counter[str] = Counter()
        self.redriven: Counter[str] = Counter()

    def forget(self) -> None:
        for counter in (self.published, self.delivered, self.failed, self.filtered_out, self.redriven):
            counter.clear()
