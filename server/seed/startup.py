"""Start-up with seeds: the services start, then each seed creates what is missing, all before the server
says it is ready. A seed that cannot be applied refuses the start in one line that names its own line."""

from __future__ import annotations

import logging

from server.config import Config, own_url
from server.registry import Registry
from server.runtime import Runtime, StartupRefused
from server.seed.apply import apply
from server.seed.document import Seed, SeedError

log = logging.getLogger("posthouse.seed")


class SeededStart:
    def __init__(self, runtime: Runtime, registry: Registry, seeds: list[Seed], config: Config) -> None:
        self._runtime = runtime
        self._registry = registry
        self._seeds = seeds
        self._config = config

    async def start(self) -> None:
        await self._runtime.start()
        for seed in self._seeds:
            try:
                created = await apply(
                    seed, self._registry, self._config.account, self._config.region, own_url(self._config)
                )
            except SeedError as error:
                await self._runtime.stop()
                raise StartupRefused(str(error)) from None
            log.info("seed %s: %s", seed.source, "; ".join(created) if created else "nothing missing")

    async def stop(self) -> None:
        await self._runtime.stop()
