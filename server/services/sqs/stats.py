"""What each queue has done since the server started, as CloudWatch counts it (NumberOfMessagesSent,
…Received, …Deleted, NumberOfEmptyReceives): plain counters by queue id, bumped as it happens and read only
when metrics are scraped."""

from __future__ import annotations

from collections import Counter


class QueueStats:
    def __init__(self) -> None:
        self.sent: Counter[int] = Counter()
        self.received: Counter[int] = Counter()
        self.deleted: Counter[int] = Counter()
        self.empty_receives: Counter[int] = Counter()

    def receive_ended(self, queue_id: int, count: int) -> None:
        if count:
            self.received[queue_id] += count
        else:
            self.empty_receives[queue_id] += 1

    def forget(self) -> None:
        for counter in (self.sent, self.received, self.deleted, self.empty_receives):
            counter.clear()
