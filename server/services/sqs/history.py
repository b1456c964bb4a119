"""What consumers took: the latest messages received from any queue, and when each was deleted, so a test can
assert what its consumer did (GET /admin/sqs/queues/…/history). Bounded: the newest KEPT messages of all queues
together, each body cut at BODY_KEPT bytes, none older than KEPT_MS."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from persistence.records import MessageRecord

KEPT = 10_000
BODY_KEPT = 4096
KEPT_MS = 3_600_000


class ConsumedHistory:
    def __init__(self, now_ms: Callable[[], int]) -> None:
        self._now_ms = now_ms
        self._entries: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()

    def received(self, queue_id: int, messages: list[MessageRecord]) -> None:
        now_ms = self._now_ms()
        for message in messages:
            key = (queue_id, message.message_id)
            entry = self._entries.pop(key, None)
            if entry is None:
                entry = {
                    "message_id": message.message_id,
                    "body": message.body[:BODY_KEPT],
                    "body_truncated": len(message.body) > BODY_KEPT,
                    "first_received_ms": now_ms,
                    "deleted_ms": None,
                }
            entry["received_ms"] = now_ms
            entry["receive_count"] = message.receive_count
            self._entries[key] = entry
        while len(self._entries) > KEPT:
            self._entries.popitem(last=False)

    def deleted(self, queue_id: int, message_ids: list[str]) -> None:
        now_ms = self._now_ms()
        for message_id in message_ids:
            entry = self._entries.get((queue_id, message_id))
            if entry is not None:
                entry["deleted_ms"] = now_ms

    def of(self, queue_id: int) -> list[dict[str, Any]]:
        """The queue's received messages, oldest first."""
        oldest_ms = self._now_ms() - KEPT_MS
        while self._entries:
            first = next(iter(self._entries.values()))
            if first["received_ms"] >= oldest_ms:
                break
            self._entries.popitem(last=False)
        return [dict(entry) for (queue, _), entry in self._entries.items() if queue == queue_id]

    def forget(self) -> None:
        self._entries.clear()
