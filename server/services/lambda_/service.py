"""The Lambda service: its parts wired together."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from persistence.engine import Database
from persistence.records import FunctionRecord
from server.clock import Clock
from server.runtime import Workers
from server.services.lambda_.activity import Activity
from server.services.lambda_.async_invocations import AsyncInvocations
from server.services.lambda_.functions import Functions
from server.services.lambda_.invoker import Invoker
from server.services.lambda_.mappings import Mappings
from server.services.lambda_.poller import Poller
from server.services.lambda_.workers import WorkerBudget
from server.services.log_writing import LogWriting
from server.services.sqs.consumer import Consumer
from server.services.sqs.enqueue import Enqueue
from server.services.topic_publishing import TopicPublishing

REAP_EVERY_MS = 10_000


class LambdaService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        consumer: Consumer,
        enqueue: Enqueue,
        workers: Workers,
        runtime_dir: Path | None,
        budget: WorkerBudget,
        endpoint_url: str,
        logs: LogWriting,
        publisher: Callable[[], TopicPublishing | None],
    ) -> None:
        self.clock = clock
        self.functions = Functions(db, clock)
        self.activity = Activity()
        self.invoker = Invoker(self.functions, clock, self.activity, runtime_dir, budget, endpoint_url, logs)
        poller = Poller(
            clock,
            consumer,
            self.invoker,
            self.activity,
            lambda uuid: self.mappings.get(uuid),
            self.functions.get,
        )
        self.mappings = Mappings(db, clock, consumer, workers, poller)
        self.async_invocations = AsyncInvocations(db, clock, self.functions, self.invoker, enqueue, publisher)
        self.event_invocations = self.async_invocations.events

    async def start(self) -> None:
        await self.functions.load()
        await self.mappings.load()
        self.mappings.start_pollers()
        await self.invoker.prune_code()  # what a delete or update left behind when the server stopped

    async def reap_idle(self) -> None:
        """The worker that stops idle function workers, as AWS recycles idle environments."""
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        while True:
            await self.clock.wait(never, self.clock.now_ms() + REAP_EVERY_MS)
            self.invoker.budget.reap()

    async def set_reserved_concurrency(self, function: FunctionRecord, reserved: int | None) -> None:
        """Kept with the function; its mappings' pollers start again with as many loops as it allows."""
        configuration = {
            k: v for k, v in function.configuration.items() if k != "ReservedConcurrentExecutions"
        }
        if reserved is not None:
            configuration["ReservedConcurrentExecutions"] = reserved
        await self.functions.replace_configuration(function, configuration)
        await self.invoker.limits_changed()
        self.mappings.restart_for(function.arn)

    async def stop(self) -> None:
        await self.invoker.close()

    def release_pollers(self) -> None:
        return None

    async def reset(self) -> None:
        await self.mappings.reset()
        await self.async_invocations.reset()
        await self.functions.reset()
        self.activity.forget_all()
        await self.invoker.close()
