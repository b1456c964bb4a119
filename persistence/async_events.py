"""Lambda's queued Event invocations: plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from persistence import due_rows

TABLE = "lambda_async_events"


class AsyncEvent(NamedTuple):
    id: int
    function_arn: str
    request_id: str
    payload: bytes
    attempts: int
    created_ms: int


def insert(conn: sqlite3.Connection, function_arn: str, request_id: str, payload: bytes, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO lambda_async_events (function_arn, request_id, payload, due_ms, created_ms)"
        " VALUES (?, ?, ?, ?, ?)",
        (function_arn, request_id, payload, now_ms, now_ms),
    )


def due(conn: sqlite3.Connection, now_ms: int, limit: int, skip: set[int]) -> list[AsyncEvent]:
    rows = conn.execute(
        "SELECT id, function_arn, request_id, payload, attempts, created_ms FROM lambda_async_events"
        " WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?",
        (now_ms, limit + len(skip)),
    )
    events = [AsyncEvent(i, arn, request, bytes(payload), a, c) for i, arn, request, payload, a, c in rows]
    return [event for event in events if event.id not in skip][:limit]


def next_due_ms(conn: sqlite3.Connection, skip: set[int]) -> int | None:
    return due_rows.next_due_ms(conn, TABLE, skip)


def reschedule(conn: sqlite3.Connection, event_id: int, attempts: int, due_ms: int) -> None:
    due_rows.reschedule(conn, TABLE, event_id, attempts, due_ms)


def delete(conn: sqlite3.Connection, event_id: int) -> None:
    due_rows.delete(conn, TABLE, event_id)


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM lambda_async_events")
