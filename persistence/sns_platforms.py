"""Mobile push rows (platform applications and their endpoints): plain functions that run inside a group
transaction."""

from __future__ import annotations

import sqlite3

import orjson

from persistence.records import PlatformApplicationRecord, PlatformEndpointRecord


def load_applications(conn: sqlite3.Connection) -> list[PlatformApplicationRecord]:
    rows = conn.execute(
        "SELECT arn, account, region, name, platform, attributes FROM sns_platform_applications"
    )
    return [
        PlatformApplicationRecord(arn, account, region, name, platform, orjson.loads(attributes))
        for arn, account, region, name, platform, attributes in rows
    ]


def load_endpoints(conn: sqlite3.Connection) -> list[PlatformEndpointRecord]:
    rows = conn.execute("SELECT arn, application_arn, token, attributes FROM sns_platform_endpoints")
    return [
        PlatformEndpointRecord(arn, application, token, orjson.loads(attributes))
        for arn, application, token, attributes in rows
    ]


def save_application(conn: sqlite3.Connection, application: PlatformApplicationRecord) -> None:
    conn.execute(
        "INSERT INTO sns_platform_applications (arn, account, region, name, platform, attributes)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes",
        (
            application.arn,
            application.account,
            application.region,
            application.name,
            application.platform,
            orjson.dumps(application.attributes),
        ),
    )


def save_endpoint(conn: sqlite3.Connection, endpoint: PlatformEndpointRecord) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sns_platform_endpoints (arn, application_arn, token, attributes) VALUES (?, ?, ?, ?)",
        (endpoint.arn, endpoint.application_arn, endpoint.token, orjson.dumps(endpoint.attributes)),
    )


def delete_application(conn: sqlite3.Connection, arn: str) -> None:
    """The application and (by the foreign key) its endpoints."""
    conn.execute("DELETE FROM sns_platform_applications WHERE arn = ?", (arn,))


def delete_endpoint(conn: sqlite3.Connection, arn: str) -> None:
    conn.execute("DELETE FROM sns_platform_endpoints WHERE arn = ?", (arn,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sns_platform_applications")
