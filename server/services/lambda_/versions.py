"""Published versions and aliases of functions: what a qualified ARN (`name:3`, `name:live`) runs.

A version is a snapshot of `$LATEST` (configuration and code) that never changes; an alias names a version
(or `$LATEST`) and can be moved. Both are kept in memory, written through to storage, and go with their
function. A qualified name resolves to a FunctionRecord whose ARN is the one it was named by and whose
configuration is the version's, so an alias followed later runs whatever version it names by then.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from persistence import functions as function_rows
from persistence.engine import Database
from persistence.records import FunctionRecord
from server import ids
from server.errors import AwsError
from server.services.lambda_.errors import conflict, function_not_found, invalid_value, validation
from server.services.lambda_.function_rules import NOT_SHOWN

LATEST = "$LATEST"
_ALIAS = re.compile(r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)")


def unqualified(arn: str) -> str:
    return ":".join(arn.split(":")[:7])


def qualifier_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 else None


def alias_not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Cannot find alias arn: {arn}", status=404)


def revision_mismatch() -> AwsError:
    return AwsError(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to"
        " retrieve the latest Revision Id",
        status=412,
    )


def check_alias_name(name: Any) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 128 or not _ALIAS.fullmatch(name):
        raise validation("name", name, "Member must satisfy regular expression pattern: " + _ALIAS.pattern)
    return name


def version_number(text: str) -> int | None:
    """A published version's number as a qualifier or marker names it (ASCII digits, as many as a version
    can have), else None: `²` is a digit to str.isdigit, and 5,000 digits are more than int() takes."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class Versions:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._versions: dict[str, dict[int, dict[str, Any]]] = {}
        """Unqualified function ARN -> version -> its configuration."""
        self._aliases: dict[str, dict[str, dict[str, Any]]] = {}
        """Unqualified function ARN -> alias name -> AliasConfiguration."""

    async def load(self) -> None:
        self.forget_all()
        for arn, version, configuration in await self._db.read(function_rows.load_versions):
            self._versions.setdefault(arn, {})[version] = configuration
        for arn, name, alias in await self._db.read(function_rows.load_aliases):
            self._aliases.setdefault(arn, {})[name] = alias

    def forget_all(self) -> None:
        self._versions.clear()
        self._aliases.clear()

    def forget(self, function_arn: str) -> None:
        self._versions.pop(function_arn, None)
        self._aliases.pop(function_arn, None)

    # -- resolving ------------------------------------------------------------------------------------

    def resolve(
        self, latest: FunctionRecord, qualifier: str | None, routed: bool = False
    ) -> FunctionRecord | None:
        """What `latest`'s function runs when named with this qualifier; None when there is no such version
        or alias. `routed` (an invocation): an alias with RoutingConfig sends its share to the other version."""
        if qualifier is None or qualifier == LATEST:
            return latest if qualifier is None else replace(latest, arn=f"{latest.arn}:{LATEST}")
        alias = self._aliases.get(latest.arn, {}).get(qualifier)
        version = alias["FunctionVersion"] if alias is not None else qualifier
        if alias is not None and routed:
            for other, weight in (
                (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {}).items()
            ):
                if random.random() < weight:
                    version = other
        if version == LATEST:
            return replace(latest, arn=f"{latest.arn}:{qualifier}")
        number = version_number(version)
        configuration = self._versions.get(latest.arn, {}).get(number) if number is not None else None
        if configuration is None:
            return None
        return replace(latest, arn=f"{latest.arn}:{qualifier}", configuration=configuration)

    def missing(self, latest: FunctionRecord, qualifier: str) -> AwsError:
        arn = f"{latest.arn}:{qualifier}"
        named_a_version = version_number(qualifier) is not None or qualifier == LATEST
        return function_not_found(arn) if named_a_version else alias_not_found(arn)

    def versions_of(self, latest: FunctionRecord) -> list[FunctionRecord]:
        """The published versions, oldest first."""
        published = self._versions.get(latest.arn, {})
        return [
            replace(latest, arn=f"{latest.arn}:{n}", configuration=published[n]) for n in sorted(published)
        ]

    # -- versions -------------------------------------------------------------------------------------

    async def publish(
        self, latest: FunctionRecord, description: str | None, code_sha256: str | None, revision: str | None
    ) -> tuple[FunctionRecord, dict[str, Any]]:
        """Publish `$LATEST` as a new version (or return the last one, when nothing changed since it); also
        the configuration `$LATEST` keeps afterwards."""
        configuration = latest.configuration
        if revision and revision != configuration["RevisionId"]:
            raise revision_mismatch()
        if code_sha256 and code_sha256 != configuration["CodeSha256"]:
            raise invalid_value(
                f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST"
                f" ({configuration['CodeSha256']}). Please try again with the CodeSHA256 in $LATEST."
            )
        last = int(configuration.get("LastVersion", 0))
        if last and configuration.get("PublishedRevision") == configuration["RevisionId"]:
            same = self._versions.get(latest.arn, {}).get(last)
            if same is not None:
                return replace(latest, arn=f"{latest.arn}:{last}", configuration=same), configuration
        number = last + 1
        snapshot = {k: v for k, v in configuration.items() if k not in NOT_SHOWN} | {
            "Version": str(number),
            "RevisionId": ids.uuid4(),
        }
        if description is not None:
            snapshot["Description"] = description
        kept = configuration | {"LastVersion": number, "PublishedRevision": configuration["RevisionId"]}

        def op(conn: Any) -> None:
            function_rows.insert_version(conn, latest.arn, number, snapshot)
            function_rows.update(conn, replace(latest, configuration=kept))

        await self._db.run(op)
        self._versions.setdefault(latest.arn, {})[number] = snapshot
        return replace(latest, arn=f"{latest.arn}:{number}", configuration=snapshot), kept

    async def delete_version(self, latest: FunctionRecord, qualifier: str) -> None:
        if qualifier == LATEST:
            raise invalid_value("$LATEST version cannot be deleted without deleting the function.")
        version = version_number(qualifier)
        if version is None:
            raise invalid_value(f"Invalid qualifier: {qualifier}")  # aliases go by DeleteAlias
        using = [
            name for name, a in self._aliases.get(latest.arn, {}).items() if a["FunctionVersion"] == qualifier
        ]
        if using:
            raise conflict(f"Unable to delete version because the following aliases reference it: {using}")
        await self._db.run(lambda conn: function_rows.delete_version(conn, latest.arn, version))
        self._versions.get(latest.arn, {}).pop(version, None)

    async def code(self, function: FunctionRecord) -> bytes | None:
        version = str(function.configuration.get("Version", LATEST))
        if version == LATEST:
            return None
        arn = unqualified(function.arn)
        return await self._db.read(lambda conn: function_rows.version_code_of(conn, arn, int(version)))

    # -- aliases --------------------------------------------------------------------------------------

    def alias(self, latest: FunctionRecord, name: str) -> dict[str, Any]:
        found = self._aliases.get(latest.arn, {}).get(name)
        if found is None:
            raise alias_not_found(f"{latest.arn}:{name}")
        return found

    def aliases(self, latest: FunctionRecord) -> list[dict[str, Any]]:
        return sorted(self._aliases.get(latest.arn, {}).values(), key=lambda a: str(a["Name"]))

    def _check_routing(self, latest: FunctionRecord, version: str, routing: Any) -> dict[str, Any] | None:
        """RoutingConfig: at most one other published version, with a weight from 0 to 1."""
        if not routing:
            return None
        weights = routing.get("AdditionalVersionWeights") if isinstance(routing, dict) else None
        if not isinstance(weights, dict) or len(weights) > 1:
            raise invalid_value("RoutingConfig can name one additional version (AdditionalVersionWeights).")
        for other, weight in weights.items():
            if not isinstance(weight, int | float) or not 0 <= weight <= 1:
                raise validation(
                    "routingConfig.additionalVersionWeights", weight, "Member must be between 0.0 and 1.0"
                )
            if version == LATEST or other == version:
                raise invalid_value(
                    "Invalid function version: an alias that routes traffic names two different published"
                    " versions."
                )
            self._check_target(latest, other)
        return {"AdditionalVersionWeights": {k: float(v) for k, v in weights.items()}}

    def _check_target(self, latest: FunctionRecord, version: Any) -> str:
        if not isinstance(version, str) or not (version == LATEST or version_number(version) is not None):
            raise validation(
                "functionVersion",
                version,
                r"Member must satisfy regular expression pattern: (\$LATEST|[0-9]+)",
            )
        if version != LATEST and version_number(version) not in self._versions.get(latest.arn, {}):
            raise function_not_found(f"{latest.arn}:{version}")
        return version

    async def create_alias(
        self, latest: FunctionRecord, wanted_name: Any, version: Any, description: str, routing: Any
    ) -> dict[str, Any]:
        name = check_alias_name(wanted_name)
        if name in self._aliases.get(latest.arn, {}):
            raise conflict(f"Alias already exists: {latest.arn}:{name}")
        target = self._check_target(latest, version)
        routes = self._check_routing(latest, target, routing)
        alias = {
            "AliasArn": f"{latest.arn}:{name}",
            "Name": name,
            "FunctionVersion": target,
            "Description": description,
            "RevisionId": ids.uuid4(),
        } | ({"RoutingConfig": routes} if routes else {})
        await self._save(latest, alias)
        return alias

    async def update_alias(
        self, latest: FunctionRecord, name: str, changes: dict[str, Any], revision: str | None
    ) -> dict[str, Any]:
        alias = self.alias(latest, name)
        if revision and revision != alias["RevisionId"]:
            raise revision_mismatch()
        updated = dict(alias)
        if changes.get("FunctionVersion") is not None:
            updated["FunctionVersion"] = self._check_target(latest, changes["FunctionVersion"])
        if changes.get("Description") is not None:
            updated["Description"] = changes["Description"]
        if changes.get("RoutingConfig") is not None:
            routes = self._check_routing(latest, updated["FunctionVersion"], changes["RoutingConfig"])
            updated.pop("RoutingConfig", None)
            if routes:
                updated["RoutingConfig"] = routes
        updated["RevisionId"] = ids.uuid4()
        await self._save(latest, updated)
        return updated

    async def _save(self, latest: FunctionRecord, alias: dict[str, Any]) -> None:
        await self._db.run(lambda conn: function_rows.put_alias(conn, latest.arn, alias["Name"], alias))
        self._aliases.setdefault(latest.arn, {})[alias["Name"]] = alias

    async def delete_alias(self, latest: FunctionRecord, name: str) -> None:
        await self._db.run(lambda conn: function_rows.delete_alias(conn, latest.arn, name))
        self._aliases.get(latest.arn, {}).pop(name, None)
