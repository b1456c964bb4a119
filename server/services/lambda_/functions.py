"""The function registry: configurations kept in memory, written through to storage with their code."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from persistence import functions as function_rows
from persistence.engine import Database
from persistence.records import FunctionRecord
from server import ids
from server.clock import Clock
from server.context import RequestContext
from server.services.lambda_ import function_rules
from server.services.lambda_.errors import conflict, function_not_found
from server.services.timestamps import iso_millis


class Functions:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._by_arn: dict[str, FunctionRecord] = {}

    async def load(self) -> None:
        self._by_arn = {f.arn: f for f in await self._db.read(function_rows.load_all)}

    def forget_all(self) -> None:
        self._by_arn.clear()

    def find(self, ctx: RequestContext, function_name: str) -> FunctionRecord:
        arn, _ = function_rules.named(ctx, function_name)
        function = self._by_arn.get(arn)
        if function is None:
            raise function_not_found(arn)
        return function

    def all(self) -> list[FunctionRecord]:
        return list(self._by_arn.values())

    def get(self, arn: str) -> FunctionRecord | None:
        return self._by_arn.get(arn)

    def in_scope(self, ctx: RequestContext) -> list[FunctionRecord]:
        mine = [f for f in self._by_arn.values() if (f.account, f.region) == (ctx.account, ctx.region)]
        return sorted(mine, key=lambda f: f.name)

    def _stamped(self, configuration: dict[str, Any]) -> dict[str, Any]:
        return configuration | {
            "LastModified": iso_millis(self._clock.now_ms(), "+0000"),
            "RevisionId": ids.uuid4(),
        }

    async def create(
        self, ctx: RequestContext, name: str, configuration: dict[str, Any], tags: dict[str, str], code: bytes
    ) -> FunctionRecord:
        arn = function_rules.function_arn(ctx, name)
        if arn in self._by_arn:
            raise conflict(f"Function already exist: {name}")
        stored = self._stamped(configuration | function_rules.code_facts(code))
        function = FunctionRecord(arn, ctx.account, ctx.region, name, stored, tags)
        await self._db.run(lambda conn: function_rows.insert(conn, function, code))
        self._by_arn[arn] = function
        return function

    async def code(self, function: FunctionRecord) -> bytes:
        code = await self._db.read(lambda conn: function_rows.code_of(conn, function.arn))
        if code is None:
            raise function_not_found(function.arn)
        return code

    async def update(
        self, function: FunctionRecord, changes: dict[str, Any], code: bytes | None = None
    ) -> FunctionRecord:
        if code is not None:
            changes = changes | function_rules.code_facts(code)
        updated = replace(function, configuration=self._stamped(function.configuration | changes))
        await self._db.run(lambda conn: function_rows.update(conn, updated, code))
        self._by_arn[function.arn] = updated
        return updated

    async def replace_configuration(self, function: FunctionRecord, configuration: dict[str, Any]) -> None:
        """A setting kept beside the configuration (reserved concurrency): no new revision."""
        updated = replace(function, configuration=configuration)
        await self._db.run(lambda conn: function_rows.update(conn, updated))
        self._by_arn[function.arn] = updated

    async def retag(self, function: FunctionRecord, tags: dict[str, str]) -> None:
        updated = replace(function, tags=tags)
        await self._db.run(lambda conn: function_rows.update(conn, updated))
        self._by_arn[function.arn] = updated

    async def delete(self, function: FunctionRecord) -> None:
        await self._db.run(lambda conn: function_rows.delete(conn, function.arn))
        self._by_arn.pop(function.arn, None)

    async def reset(self) -> None:
        await self._db.run(function_rows.delete_all)
        self._by_arn.clear()
