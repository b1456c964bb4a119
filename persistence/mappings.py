"""Lambda event-source mapping rows: plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3

import orjson

from persistence.records import MappingRecord


def load_all(conn: sqlite3.Connection) -> list[MappingRecord]:
    rows = conn.execute(
        "SELECT uuid, account, region, function_arn, source_arn, configuration FROM lambda_event_source_mappings"
    )
    return [
        MappingRecord(uuid, account, region, function, source, orjson.loads(configuration))
        for uuid, account, region, function, source, configuration in rows
    ]


def save(conn: sqlite3.Connection, mapping: MappingRecord) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO lambda_event_source_mappings"
        " (uuid, account, region, function_arn, source_arn, configuration) VALUES (?, ?, ?, ?, ?, ?)",
        (
            mapping.uuid,
            mapping.account,
            mapping.region,
            mapping.function_arn,
            mapping.source_arn,
            orjson.dumps(mapping.configuration),
        ),
    )


def delete(conn: sqlite3.Connection, uuid: str) -> None:
    conn.execute("DELETE FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM lambda_event_source_mappings")
