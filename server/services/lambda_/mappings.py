"""Event-source mappings: kept in memory, written through to storage; each enabled one has a supervised
poller worker (`esm-<uuid>`), started when it is created or enabled and when the server starts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from persistence import mappings as mapping_rows
from persistence.engine import Database
from persistence.records import FunctionRecord, MappingRecord
from server import ids
from server.clock import Clock
from server.context import RequestContext
from server.errors import AwsError
from server.runtime import Workers
from server.services.lambda_ import mapping_rules
from server.services.lambda_.errors import conflict, invalid_value
from server.services.lambda_.poller import Poller
from server.services.lambda_.versions import unqualified
from server.services.sqs.consumer import Consumer


def mapping_not_found() -> AwsError:
    return AwsError("ResourceNotFoundException", "The resource you requested does not exist.", status=404)


class Mappings:
    def __init__(
        self, db: Database, clock: Clock, consumer: Consumer, workers: Workers, poller: Poller
    ) -> None:
        self._db = db
        self._clock = clock
        self._consumer = consumer
        self._workers = workers
        self._poller = poller
        self._by_uuid: dict[str, MappingRecord] = {}
        self._generations: dict[str, int] = {}

    async def load(self) -> None:
        self._by_uuid = {m.uuid: m for m in await self._db.read(mapping_rows.load_all)}

    def start_pollers(self) -> None:
        for mapping in self._by_uuid.values():
            self._poll(mapping)

    def all(self) -> list[MappingRecord]:
        return list(self._by_uuid.values())

    def get(self, uuid: str) -> MappingRecord | None:
        return self._by_uuid.get(uuid)

    def find(self, uuid: str) -> MappingRecord:
        mapping = self._by_uuid.get(uuid)
        if mapping is None:
            raise mapping_not_found()
        return mapping

    def in_scope(self, ctx: RequestContext) -> list[MappingRecord]:
        mine = [m for m in self._by_uuid.values() if (m.account, m.region) == (ctx.account, ctx.region)]
        return sorted(mine, key=lambda m: m.uuid)

    def generation(self, uuid: str) -> int:
        return self._generations.get(uuid, 0)

    def _poll(self, mapping: MappingRecord) -> None:
        """A new poller generation (the previous one, if running, ends at its next look)."""
        generation = self._generations[mapping.uuid] = self.generation(mapping.uuid) + 1
        if mapping.configuration.get("Enabled", True):
            self._workers.start(
                f"esm-{mapping.uuid}",
                lambda: self._poller.run(mapping.uuid, generation, self.generation),
            )

    def restart_for(self, function_arn: str) -> None:
        """The function's concurrency changed: its mappings' pollers start again."""
        for mapping in self._by_uuid.values():
            if unqualified(mapping.function_arn) == function_arn:  # its versions' and aliases' too
                self._poll(mapping)

    def _settings(
        self, wanted: dict[str, Any], source_arn: str, function: FunctionRecord | None
    ) -> dict[str, Any]:
        queue = self._consumer.queue(source_arn)
        if queue is None:
            raise invalid_value(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue."
                " SQS Error Message: The specified queue does not exist."
            )
        timeout_s = int(function.configuration.get("Timeout", 3)) if function is not None else 0
        settings = mapping_rules.checked(wanted, queue, timeout_s)
        return settings | {"LastModified": self._clock.now_ms() / 1000}

    async def create(
        self, ctx: RequestContext, source_arn: str, function: FunctionRecord, wanted: dict[str, Any]
    ) -> MappingRecord:
        settings = self._settings(mapping_rules.DEFAULTS | wanted, source_arn, function)
        for existing in self._by_uuid.values():
            if (existing.source_arn, existing.function_arn) == (source_arn, function.arn):
                raise conflict(
                    f'An event source mapping with SQS arn (" {source_arn} ") and function (" {function.name} ")'
                    f" already exists. Please update or delete the existing mapping with UUID {existing.uuid}"
                )
        mapping = MappingRecord(ids.uuid4(), ctx.account, ctx.region, function.arn, source_arn, settings)
        await self._save(mapping)
        self._poll(mapping)
        return mapping

    async def update(
        self, mapping: MappingRecord, function: FunctionRecord | None, wanted: dict[str, Any]
    ) -> MappingRecord:
        """Change the mapping; `function` None keeps its function (one deleted since)."""
        merged = mapping.configuration | wanted
        if wanted.get("ScalingConfig") == {}:
            merged.pop("ScalingConfig", None)  # `{}` removes the limit
        if wanted.get("FilterCriteria") == {}:
            merged.pop("FilterCriteria", None)
        settings = self._settings(merged, mapping.source_arn, function)
        function_arn = function.arn if function is not None else mapping.function_arn
        updated = replace(mapping, function_arn=function_arn, configuration=settings)
        await self._save(updated)
        self._poll(updated)
        return updated

    async def delete(self, mapping: MappingRecord) -> None:
        await self._db.run(lambda conn: mapping_rows.delete(conn, mapping.uuid))
        self._by_uuid.pop(mapping.uuid, None)
        self._generations[mapping.uuid] = self.generation(mapping.uuid) + 1

    async def reset(self) -> None:
        await self._db.run(mapping_rows.delete_all)
        for uuid in list(self._by_uuid):
            self._generations[uuid] = self.generation(uuid) + 1
        self._by_uuid.clear()

    async def _save(self, mapping: MappingRecord) -> None:
        await self._db.run(lambda conn: mapping_rows.save(conn, mapping))
        self._by_uuid[mapping.uuid] = mapping
