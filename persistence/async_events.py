"""Lambda's queued Event invocations: plain functions that run inside a group transaction."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Mapping
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


def due(
    conn: sqlite3.Connection, now_ms: int, limit: int, skip: set[int], room: Mapping[str, int], share: int
) -> list[AsyncEvent]:
    """Up to `limit` events due, taken function by function: each function's earliest, at most `room` of it
    (`share` for a function not listed), in turns, so that every function with events due gets some."""
    functions = conn.execute(
        "SELECT function_arn FROM lambda_async_events GROUP BY function_arn HAVING MIN(due_ms) <= ?",
        (now_ms,),
    ).fetchall()
    queues: list[list[AsyncEvent]] = []
    for (arn,) in functions:
        wanted = room.get(arn, share)
        if wanted <= 0:
            continue
        rows = conn.execute(
            "SELECT id, function_arn, request_id, payload, attempts, created_ms FROM lambda_async_events"
            " WHERE function_arn = ? AND due_ms <= ? ORDER BY due_ms, id LIMIT ?",
            (arn, now_ms, wanted + len(skip)),
        )
        events = [AsyncEvent(i, f, request, bytes(payload), a, c) for i, f, request, payload, a, c in rows]
        queues.append([event for event in events if event.id not in skip][:wanted])
    taken = [event for turn in itertools.zip_longest(*queues) for event in turn if event is not None]
    return taken[:limit]


def next_due_ms(conn: sqlite3.Connection, skip: set[int], full: set[str]) -> int | None:
    """When the next event not in `skip` (in hand) of a function not in `full` (at its share) is due."""
    ids, arns = ",".join("?" * len(skip)), ",".join("?" * len(full))
    (due_ms,) = conn.execute(
        f"SELECT MIN(due_ms) FROM lambda_async_events WHERE id NOT IN ({ids}) AND function_arn NOT IN ({arns})",
        (*skip, *full),
    ).fetchone()
    return None if due_ms is None else int(due_ms)


def reschedule(conn: sqlite3.Connection, event_id: int, attempts: int, due_ms: int) -> None:
    due_rows.reschedule(conn, TABLE, event_id, attempts, due_ms)


def delete(conn: sqlite3.Connection, event_id: int) -> None:
    due_rows.delete(conn, TABLE, event_id)


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM lambda_async_events")
