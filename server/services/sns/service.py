"""The SNS service: its parts wired together."""

from __future__ import annotations

from persistence.engine import Database
from server.clock import Clock
from server.services.sns.catalog import TopicCatalog


class SnsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.clock = clock
        self.catalog = TopicCatalog(db, clock)

    async def start(self) -> None:
        await self.catalog.load()

    async def stop(self) -> None:
        return None

    def release_pollers(self) -> None:
        return None  # nothing of SNS waits on a client

    async def reset(self) -> None:
        await self.catalog.reset()
