"""CloudWatch Logs' groups, streams and events: plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

import orjson


class LogGroup(NamedTuple):
    id: int
    account: str
    region: str
    name: str
    created_ms: int
    retention_days: int | None
    tags: dict[str, str]


class LogStream(NamedTuple):
    id: int
    group_id: int
    name: str
    created_ms: int


class LogEvent(NamedTuple):
    id: int
    stream_id: int
    timestamp_ms: int
    ingestion_ms: int
    message: str


def load(conn: sqlite3.Connection) -> tuple[list[LogGroup], list[LogStream]]:
    groups = [
        LogGroup(i, a, r, n, c, d, orjson.loads(t))
        for i, a, r, n, c, d, t in conn.execute(
            "SELECT id, account, region, name, created_ms, retention_days, tags FROM log_groups"
        )
    ]
    streams = [
        LogStream(*row) for row in conn.execute("SELECT id, group_id, name, created_ms FROM log_streams")
    ]
    return groups, streams


def create_group(
    conn: sqlite3.Connection, account: str, region: str, name: str, now_ms: int, tags: dict[str, str]
) -> int:
    cursor = conn.execute(
        "INSERT INTO log_groups (account, region, name, created_ms, tags) VALUES (?, ?, ?, ?, ?)",
        (account, region, name, now_ms, orjson.dumps(tags).decode()),
    )
    return int(cursor.lastrowid or 0)


def update_group(conn: sqlite3.Connection, group: LogGroup) -> None:
    conn.execute(
        "UPDATE log_groups SET retention_days = ?, tags = ? WHERE id = ?",
        (group.retention_days, orjson.dumps(group.tags).decode(), group.id),
    )


def delete_group(conn: sqlite3.Connection, group_id: int) -> None:
    conn.execute("DELETE FROM log_events WHERE group_id = ?", (group_id,))
    conn.execute("DELETE FROM log_groups WHERE id = ?", (group_id,))


def create_stream(conn: sqlite3.Connection, group_id: int, name: str, now_ms: int) -> int:
    cursor = conn.execute(
        "INSERT INTO log_streams (group_id, name, created_ms) VALUES (?, ?, ?)", (group_id, name, now_ms)
    )
    return int(cursor.lastrowid or 0)


def delete_stream(conn: sqlite3.Connection, stream_id: int) -> None:
    conn.execute("DELETE FROM log_events WHERE stream_id = ?", (stream_id,))
    conn.execute("DELETE FROM log_streams WHERE id = ?", (stream_id,))


def put_events(
    conn: sqlite3.Connection, group_id: int, stream_id: int, events: list[tuple[int, str]], now_ms: int
) -> None:
    conn.executemany(
        "INSERT INTO log_events (group_id, stream_id, timestamp_ms, ingestion_ms, message) VALUES (?, ?, ?, ?, ?)",
        [(group_id, stream_id, timestamp, now_ms, message) for timestamp, message in events],
    )


def trim(conn: sqlite3.Connection, group_id: int, older_than_ms: int | None, keep_bytes: int) -> None:
    """Drop a group's events past its retention, then its oldest ones beyond `keep_bytes` of messages."""
    if older_than_ms is not None:
        conn.execute(
            "DELETE FROM log_events WHERE group_id = ? AND timestamp_ms < ?", (group_id, older_than_ms)
        )
    (total,) = conn.execute(
        "SELECT COALESCE(SUM(LENGTH(message)), 0) FROM log_events WHERE group_id = ?", (group_id,)
    ).fetchone()
    if total > keep_bytes:
        rows = conn.execute(
            "SELECT id, LENGTH(message) FROM log_events WHERE group_id = ? ORDER BY timestamp_ms, id",
            (group_id,),
        )
        excess, last_id = total - keep_bytes, None
        for row_id, size in rows:
            excess -= size
            last_id = row_id
            if excess <= 0:
                break
        conn.execute("DELETE FROM log_events WHERE group_id = ? AND id <= ?", (group_id, last_id))


def events(
    conn: sqlite3.Connection, where: str, values: tuple[Any, ...], descending: bool, limit: int
) -> list[LogEvent]:
    """Events matching `where` (a fixed condition the service builds, never input) in time order."""
    order = "DESC" if descending else "ASC"
    rows = conn.execute(
        f"SELECT id, stream_id, timestamp_ms, ingestion_ms, message FROM log_events WHERE {where}"
        f" ORDER BY timestamp_ms {order}, id {order} LIMIT ?",
        (*values, limit),
    )
    return [LogEvent(*row) for row in rows]


def stream_summaries(conn: sqlite3.Connection, group_id: int) -> dict[int, tuple[int, int, int, int]]:
    """stream id -> (first event time, last event time, last ingestion time, stored bytes)."""
    rows = conn.execute(
        "SELECT stream_id, MIN(timestamp_ms), MAX(timestamp_ms), MAX(ingestion_ms), SUM(LENGTH(message))"
        " FROM log_events WHERE group_id = ? GROUP BY stream_id",
        (group_id,),
    )
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def stored_bytes(conn: sqlite3.Connection) -> dict[int, int]:
    rows = conn.execute("SELECT group_id, SUM(LENGTH(message)) FROM log_events GROUP BY group_id")
    return {group_id: size for group_id, size in rows}


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM log_events")
    conn.execute("DELETE FROM log_streams")
    conn.execute("DELETE FROM log_groups")
