"""The SQS service: its parts wired together, and how a request names its queue."""

from __future__ import annotations

from persistence.engine import Database
from persistence.records import QueueRecord
from server.clock import Clock
from server.config import QueueUrlStyle
from server.context import RequestContext
from server.errors import missing_parameter
from server.runtime import Workers
from server.services.params import Params
from server.services.sqs.catalog import QueueCatalog
from server.services.sqs.errors import queue_does_not_exist
from server.services.sqs.messaging import Messaging
from server.services.sqs.move_tasks import MoveTasks
from server.services.sqs.queue_urls import parse_queue_url, queue_url
from server.services.sqs.waiters import QueueWaiters


class SqsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        workers: Workers,
        *,
        enforce_purge_interval: bool = True,
        enforce_recreate_delay: bool = False,
        url_style: QueueUrlStyle = "off",
    ) -> None:
        self.clock = clock
        self.url_style: QueueUrlStyle = url_style
        self.waiters = QueueWaiters()
        self.catalog = QueueCatalog(db, clock, self.waiters, enforce_recreate_delay=enforce_recreate_delay)
        self.messaging = Messaging(db, clock, self.catalog, self.waiters)
        self.move_tasks = MoveTasks(db, clock, self.catalog, self.waiters, workers)
        self.enforce_purge_interval = enforce_purge_interval

    async def start(self) -> None:
        await self.catalog.load()
        await self.messaging.load()
        await self.move_tasks.load()

    def release_pollers(self) -> None:
        """Answer every parked long poll now (the server is stopping)."""
        self.waiters.release_all()

    async def stop(self) -> None:
        self.release_pollers()
        self.move_tasks.stop()

    async def reset(self) -> None:
        await self.catalog.reset()
        self.messaging.history.forget()
        self.messaging.stats.forget()

    def queue(self, ctx: RequestContext, params: Params) -> QueueRecord:
        """The queue a request names: its QueueUrl (any URL style, or just the queue's name), or else the path
        it was sent to (Java SDK v1 style).

        The host counts only for the region it may name, so localhost, 127.0.0.1 and a container's name all
        reach the same queue.
        """
        url = params.text("QueueUrl") or (ctx.target_path if ctx.target_path.strip("/") else None)
        if not url:
            raise missing_parameter("QueueUrl")
        address = parse_queue_url(url)
        if address is None:
            raise queue_does_not_exist()
        return self.catalog.find(address.account or ctx.account, address.region or ctx.region, address.name)

    def url_of(self, ctx: RequestContext, queue: QueueRecord) -> str:
        return queue_url(self.url_style, ctx.base_url, queue)
