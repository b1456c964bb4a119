"""The function registry: configurations kept in memory, written through to storage with their code; a
function's published versions and aliases in `versions`."""

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
from server.services.lambda_.errors import conflict, function_not_found, invalid_value
from server.services.lambda_.versions import LATEST, Versions, qualifier_of, unqualified
from server.services.timestamps import iso_millis


class Functions:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._by_arn: dict[str, FunctionRecord] = {}
        self.versions = Versions(db)

    async def load(self) -> None:
        self._by_arn = {f.arn: f for f in await self._db.read(function_rows.load_all)}
        await self.versions.load()

    def forget_all(self) -> None:
        self._by_arn.clear()
        self.versions.forget_all()

    def latest(self, ctx: RequestContext, function_name: str) -> FunctionRecord:
        """The function a name, partial or full ARN names, whatever qualifier it carries."""
        arn, _ = function_rules.named(ctx, function_name)
        return self._latest_at(arn)

    def _latest_at(self, arn: str) -> FunctionRecord:
        function = self._by_arn.get(arn)
        if function is None:
            raise function_not_found(arn)
        return function

    def find(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None, routed: bool = False
    ) -> FunctionRecord:
        """What a request names: `$LATEST`, or the version or alias its name or `Qualifier` qualifies it by
        (`routed`: what an invocation of it runs, an alias's traffic shifting applied)."""
        arn, named_qualifier = function_rules.named(ctx, function_name)
        if qualifier and named_qualifier and qualifier != named_qualifier:
            raise invalid_value(
                "The derived qualifier from the function name does not match the specified qualifier."
            )
        latest = self._latest_at(arn)
        wanted = qualifier or named_qualifier
        function = self.versions.resolve(latest, wanted, routed)
        if function is None:
            assert wanted is not None
            raise self.versions.missing(latest, wanted)
        return function

    def all(self) -> list[FunctionRecord]:
        return list(self._by_arn.values())

    def every_version(self, latest: FunctionRecord) -> list[FunctionRecord]:
        """`$LATEST` and its published versions."""
        return [latest, *self.versions.versions_of(latest)]

    def get(self, arn: str) -> FunctionRecord | None:
        """What an invocation of an ARN runs: resolved through its qualifier (a version or alias, the alias's
        traffic shifting applied) when it has one."""
        latest = self._by_arn.get(unqualified(arn))
        return None if latest is None else self.versions.resolve(latest, qualifier_of(arn), routed=True)

    def settings_of(
        self, ctx: RequestContext, function_name: str, qualifier: str | None
    ) -> tuple[FunctionRecord, str | None]:
        """For settings kept per version or alias (resource policies, event-invoke configurations): `$LATEST`,
        where they are kept, and the version or alias named (None for `$LATEST`); one that is missing is not
        found."""
        named = self.find(ctx, function_name, qualifier)
        kept_for = qualifier_of(named.arn)
        return self.latest_of(named), None if kept_for == LATEST else kept_for

    def latest_of(self, function: FunctionRecord) -> FunctionRecord:
        """`$LATEST` of a (possibly qualified) function: where its function-wide settings are."""
        return self._by_arn.get(unqualified(function.arn), function)

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
        code = await self.versions.code(function)
        if code is None:
            arn = unqualified(function.arn)
            code = await self._db.read(lambda conn: function_rows.code_of(conn, arn))
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

    async def publish(
        self, latest: FunctionRecord, description: str | None, code_sha256: str | None, revision: str | None
    ) -> FunctionRecord:
        version, kept = await self.versions.publish(latest, description, code_sha256, revision)
        self._by_arn[latest.arn] = replace(latest, configuration=kept)
        return version

    async def delete(self, function: FunctionRecord) -> None:
        """The function, with its versions and aliases."""
        await self._db.run(lambda conn: function_rows.delete(conn, function.arn))
        self._by_arn.pop(function.arn, None)
        self.versions.forget(function.arn)

    async def reset(self) -> None:
        await self._db.run(function_rows.delete_all)
        self.forget_all()
