"""What an event-source poller uses of SQS, in process (never over HTTP): the queue an ARN names, long-poll
receives with every attribute, and deletes by receipt handle. Lambda's event-source mappings call it."""

from __future__ import annotations

from typing import Any

from persistence.records import QueueRecord
from server.services.sqs import receipts
from server.services.sqs.catalog import QueueCatalog
from server.services.sqs.incoming import Selection, received
from server.services.sqs.messaging import Messaging, VisibilityRequest

_EVERYTHING = Selection(frozenset({"All"}), ("All",))


class Consumer:
    def __init__(self, catalog: QueueCatalog, messaging: Messaging) -> None:
        self._catalog = catalog
        self._messaging = messaging

    def queue(self, arn: str) -> QueueRecord | None:
        return self._catalog.by_arn(arn)

    async def receive(self, queue: QueueRecord, limit: int, wait_s: int) -> list[dict[str, Any]]:
        """Up to `limit` messages (in process, more than ReceiveMessage's 10 may be asked for) as
        ReceiveMessage answers them, hidden for the queue's visibility timeout; waits up to `wait_s` for the
        first."""
        visibility_s = int(queue.attributes["VisibilityTimeout"])
        messages = await self._messaging.receive(queue, limit, visibility_s, wait_s)
        return [received(message, _EVERYTHING) for message in messages]

    async def release(self, queue: QueueRecord, receipt_handles: list[str]) -> None:
        """Make what was received visible again at once (a poller that will not process it)."""
        if receipt_handles:
            requests = [VisibilityRequest(h, receipts.parse(h), 0) for h in receipt_handles]
            await self._messaging.change_visibility(queue, requests)

    async def delete(self, queue: QueueRecord, receipt_handles: list[str]) -> None:
        """Delete what was received (a handle whose message is gone is no error here)."""
        if receipt_handles:
            await self._messaging.delete(queue, [(h, receipts.parse(h)) for h in receipt_handles])
