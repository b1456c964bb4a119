"""What tables of work that falls due share (SNS's outbox, Lambda's queued Event invocations): each row has
`id`, `attempts` and `due_ms`. Plain functions that run inside a group transaction; `table` is one of the
module constants that name those tables, never input."""

from __future__ import annotations

import sqlite3


def next_due_ms(conn: sqlite3.Connection, table: str, skip: set[int]) -> int | None:
    """When the next row not in `skip` (in hand) is due."""
    marks = ",".join("?" * len(skip))
    (due_ms,) = conn.execute(
        f"SELECT MIN(due_ms) FROM {table} WHERE id NOT IN ({marks})", tuple(skip)
    ).fetchone()
    return None if due_ms is None else int(due_ms)


def reschedule(conn: sqlite3.Connection, table: str, row_id: int, attempts: int, due_ms: int) -> None:
    conn.execute(f"UPDATE {table} SET attempts = ?, due_ms = ? WHERE id = ?", (attempts, due_ms, row_id))


def delete(conn: sqlite3.Connection, table: str, row_id: int) -> None:
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
