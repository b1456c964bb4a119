"""Mobile push: platform applications and their endpoints, kept in memory and written through to storage.
Nothing reaches a push service; what is published to an endpoint is recorded."""

from __future__ import annotations

import re
from dataclasses import replace

from persistence import sns_platforms as rows
from persistence.engine import Database
from persistence.records import PlatformApplicationRecord, PlatformEndpointRecord
from server import ids
from server.context import RequestContext
from server.errors import AwsError
from server.services.sns.errors import invalid_parameter

PLATFORMS = {"ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS"}
SECRET_ATTRIBUTES = {"PlatformCredential", "PlatformPrincipal"}
"""Kept, never shown (as on AWS)."""
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")


def platform_of(arn: str) -> str:
    """`GCM` of `arn:aws:sns:…:endpoint/GCM/app/…` (or of an application's `…:app/GCM/app`)."""
    return arn.rsplit(":", 1)[1].split("/")[1]


def not_found(what: str) -> AwsError:
    return AwsError("NotFound", f"{what} does not exist", status=404, shape="NotFoundException")


def endpoint_view(endpoint: PlatformEndpointRecord) -> dict[str, str]:
    return {"Enabled": "true", "Token": endpoint.token} | endpoint.attributes


def application_view(application: PlatformApplicationRecord) -> dict[str, str]:
    shown = {k: v for k, v in application.attributes.items() if k not in SECRET_ATTRIBUTES}
    return {"Enabled": "true"} | shown


class Platforms:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._applications: dict[str, PlatformApplicationRecord] = {}
        self._endpoints: dict[str, PlatformEndpointRecord] = {}

    async def load(self) -> None:
        self._applications = {a.arn: a for a in await self._db.read(rows.load_applications)}
        self._endpoints = {e.arn: e for e in await self._db.read(rows.load_endpoints)}

    def forget_all(self) -> None:
        self._applications.clear()
        self._endpoints.clear()

    def applications(self, ctx: RequestContext) -> list[PlatformApplicationRecord]:
        mine = [a for a in self._applications.values() if (a.account, a.region) == (ctx.account, ctx.region)]
        return sorted(mine, key=lambda a: a.arn)

    def application(self, arn: str) -> PlatformApplicationRecord:
        application = self._applications.get(arn)
        if application is None:
            raise not_found("PlatformApplication")
        return application

    def endpoints_of(self, application: PlatformApplicationRecord) -> list[PlatformEndpointRecord]:
        return sorted(
            (e for e in self._endpoints.values() if e.application_arn == application.arn), key=lambda e: e.arn
        )

    def endpoint(self, arn: str) -> PlatformEndpointRecord | None:
        return self._endpoints.get(arn)

    async def create_application(
        self, ctx: RequestContext, name: str, platform: str, attributes: dict[str, str]
    ) -> PlatformApplicationRecord:
        if not _NAME.fullmatch(name):
            raise invalid_parameter("Name")
        if platform not in PLATFORMS:
            raise invalid_parameter(f"Platform Reason: {platform} is not supported")
        _check_credentials(platform, attributes)
        arn = f"arn:aws:sns:{ctx.region}:{ctx.account}:app/{platform}/{name}"
        existing = self._applications.get(arn)
        application = PlatformApplicationRecord(
            arn,
            ctx.account,
            ctx.region,
            name,
            platform,
            (existing.attributes if existing else {}) | attributes,
        )
        await self._save_application(application)
        return application

    async def set_application_attributes(
        self, application: PlatformApplicationRecord, attributes: dict[str, str]
    ) -> None:
        await self._save_application(replace(application, attributes=application.attributes | attributes))

    async def delete_application(self, arn: str) -> None:
        await self._db.run(lambda conn: rows.delete_application(conn, arn))
        self._applications.pop(arn, None)
        for endpoint in [e for e in self._endpoints.values() if e.application_arn == arn]:
            del self._endpoints[endpoint.arn]

    async def create_endpoint(
        self, application: PlatformApplicationRecord, token: str, attributes: dict[str, str]
    ) -> PlatformEndpointRecord:
        """Idempotent for the same token and attributes; the same token with other attributes is refused."""
        for existing in self.endpoints_of(application):
            if existing.token == token:
                if any(endpoint_view(existing).get(k) != v for k, v in attributes.items()):
                    raise invalid_parameter(
                        f"Token Reason: Endpoint {existing.arn} already exists with the same Token, but different"
                        " attributes."
                    )
                return existing
        name = application.arn.split(":app/", 1)[1]
        arn = f"{application.arn.split(':app/', 1)[0]}:endpoint/{name}/{ids.uuid4()}"
        endpoint = PlatformEndpointRecord(arn, application.arn, token, attributes)
        await self._save_endpoint(endpoint)
        return endpoint

    async def set_endpoint_attributes(
        self, endpoint: PlatformEndpointRecord, attributes: dict[str, str]
    ) -> None:
        token = attributes.get("Token", endpoint.token)
        others = {k: v for k, v in attributes.items() if k != "Token"}
        await self._save_endpoint(replace(endpoint, token=token, attributes=endpoint.attributes | others))

    async def delete_endpoint(self, arn: str) -> None:
        await self._db.run(lambda conn: rows.delete_endpoint(conn, arn))
        self._endpoints.pop(arn, None)

    async def _save_application(self, application: PlatformApplicationRecord) -> None:
        await self._db.run(lambda conn: rows.save_application(conn, application))
        self._applications[application.arn] = application

    async def _save_endpoint(self, endpoint: PlatformEndpointRecord) -> None:
        await self._db.run(lambda conn: rows.save_endpoint(conn, endpoint))
        self._endpoints[endpoint.arn] = endpoint


def _check_credentials(platform: str, attributes: dict[str, str]) -> None:
    """What AWS asks of a new application: GCM (Firebase) a PlatformCredential (the server key); the others
    (APNS, ADM, Baidu, MPNS, WNS) a PlatformCredential and a PlatformPrincipal together, or neither."""
    credential, principal = "PlatformCredential" in attributes, "PlatformPrincipal" in attributes
    if platform == "GCM" and not credential:
        raise invalid_parameter("Attributes Reason: PlatformCredential attribute required")
    if principal and not credential:
        raise invalid_parameter(
            "Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential"
        )
    if credential and not principal and platform != "GCM":
        raise invalid_parameter(
            "Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal"
        )
