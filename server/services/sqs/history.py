"""What consumers took: the latest messages received from any queue, and when each was deleted, so a test can
assert what its consumer did (GET /admin/sqs/queues/…/history).

The hot path pays one tuple per receive and per delete (a batch at a time); the per-message view is worked out
only when asked. Bounded: the newest KEPT received messages of all queues together, their bodies KEPT_BYTES at
most together, none older than KEPT_MS; a body is shown cut at BODY_SHOWN characters."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from persistence.records import MessageRecord

KEPT = 10_000
KEPT_BYTES = 32 * 1024 * 1024
KEPT_MS = 3_600_000
BODY_SHOWN = 4096

# (queue id, when, received messages or deleted message ids)
_Received = tuple[int, int, list[MessageRecord]]
_Deleted = tuple[int, int, list[str]]


class ConsumedHistory:
    def __init__(self, now_ms: Callable[[], int]) -> None:
        self._now_ms = now_ms
        self._received: deque[_Received] = deque()
        self._deleted: deque[_Deleted] = deque()
        self._messages = 0
        self._bytes = 0

    def received(self, queue_id: int, messages: list[MessageRecord]) -> None:
        self._received.append((queue_id, self._now_ms(), messages))
        self._messages += len(messages)
        self._bytes += sum(len(m.body) for m in messages)
        while self._received and (self._messages > KEPT or self._bytes > KEPT_BYTES):
            self._drop_oldest()

    def deleted(self, queue_id: int, message_ids: list[str]) -> None:
        if message_ids:
            self._deleted.append((queue_id, self._now_ms(), message_ids))
            while len(self._deleted) > KEPT:
                self._deleted.popleft()

    def _drop_oldest(self) -> None:
        _, _, messages = self._received.popleft()
        self._messages -= len(messages)
        self._bytes -= sum(len(m.body) for m in messages)

    def of(self, queue_id: int) -> list[dict[str, Any]]:
        """The queue's received messages, oldest first: body, receive count, when first and last received,
        and when deleted (None while not)."""
        oldest_ms = self._now_ms() - KEPT_MS
        while self._received and self._received[0][1] < oldest_ms:
            self._drop_oldest()
        while self._deleted and self._deleted[0][1] < oldest_ms:
            self._deleted.popleft()
        deleted_at = {
            message_id: when
            for queue, when, message_ids in self._deleted
            if queue == queue_id
            for message_id in message_ids
        }
        entries: dict[str, dict[str, Any]] = {}
        for queue, when, messages in self._received:
            if queue != queue_id:
                continue
            for message in messages:
                entry = entries.get(message.message_id)
                if entry is None:
                    entry = entries[message.message_id] = {
                        "message_id": message.message_id,
                        "body": message.body[:BODY_SHOWN],
                        "body_truncated": len(message.body) > BODY_SHOWN,
                        "first_received_ms": when,
                    }
                entry["received_ms"] = when
                entry["receive_count"] = message.receive_count
                entry["deleted_ms"] = deleted_at.get(message.message_id)
        return list(entries.values())

    def forget(self) -> None:
        self._received.clear()
        self._deleted.clear()
        self._messages = self._bytes = 0
