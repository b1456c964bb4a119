"""The Lambda service: its parts wired together."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from persistence.engine import Database
from persistence.records import FunctionRecord
from server.clock import Clock
from server.runtime import Workers
from server.services.lambda_.activity import Activity
from server.services.lambda_.functions import Functions
from server.services.lambda_.invoker import Invoker
from server.services.lambda_.mappings import Mappings
from server.services.lambda_.poller import Poller
from server.services.sqs.consumer import Consumer

log = logging.getLogger("posthouse.lambda")


class LambdaService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        consumer: Consumer,
        workers: Workers,
        runtime_dir: Path | None,
        endpoint_url: str,
    ) -> None:
        self.clock = clock
        self.functions = Functions(db, clock)
        self.activity = Activity()
        self.invoker = Invoker(self.functions, clock, self.activity, runtime_dir, endpoint_url)
        poller = Poller(
            clock,
            consumer,
            self.invoker,
            self.activity,
            lambda uuid: self.mappings.get(uuid),
            self.functions.get,
        )
        self.mappings = Mappings(db, clock, consumer, workers, poller)
        self._later: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self.functions.load()
        await self.mappings.load()
        self.mappings.start_pollers()

    def invoke_later(self, function: FunctionRecord, payload: bytes, request_id: str) -> None:
        """An `Event` invocation: run it after answering 202 (kept in memory for now)."""

        async def run() -> None:
            outcome = await self.invoker.invoke(function, payload, request_id, wait=True, source="Event")
            if outcome.error is not None:
                log.info("event invocation %s of %s failed: %s", request_id, function.name, outcome.error)

        task = asyncio.create_task(run())
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def set_reserved_concurrency(self, function: FunctionRecord, reserved: int | None) -> None:
        """Kept with the function; its mappings' pollers start again with as many loops as it allows."""
        configuration = {
            k: v for k, v in function.configuration.items() if k != "ReservedConcurrentExecutions"
        }
        if reserved is not None:
            configuration["ReservedConcurrentExecutions"] = reserved
        await self.functions.replace_configuration(function, configuration)
        self.mappings.restart_for(function.arn)

    async def stop(self) -> None:
        for task in self._later:
            task.cancel()
        await self.invoker.close()

    def release_pollers(self) -> None:
        return None

    async def reset(self) -> None:
        await self.mappings.reset()
        await self.functions.reset()
        self.activity.forget_all()
        await self.invoker.close()
