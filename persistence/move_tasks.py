"""Message move task rows, and the messages a task may move next."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

RUNNING = "RUNNING"
CANCELLING = "CANCELLING"
CANCELLED = "CANCELLED"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
ACTIVE = (RUNNING, CANCELLING)


class MoveTask(NamedTuple):
    id: int
    task_id: str
    source_queue_id: int
    source_arn: str
    destination_arn: str | None
    rate: int | None
    status: str
    moved: int
    to_move: int
    last_row_id: int
    started_ms: int
    failure_reason: str | None


_COLUMNS = (
    "id, task_id, source_queue_id, source_arn, destination_arn, rate, status, moved, to_move, last_row_id,"
    " started_ms, failure_reason"
)
# Which of a dead-letter queue's messages a task moves: there when it started, visible, unexpired, and (without
# a destination) knowing the queue they came from.
_MOVABLE = (
    "FROM messages WHERE queue_id = :queue AND id <= :last AND visible_at_ms <= :now AND expires_at_ms > :now"
    " AND (:to_sources = 0 OR dead_letter_source IS NOT NULL)"
)


def _movable_params(queue_id: int, last_row_id: int, to_sources: bool, now_ms: int) -> dict[str, object]:
    return {"queue": queue_id, "last": last_row_id, "to_sources": int(to_sources), "now": now_ms}


def start(
    conn: sqlite3.Connection,
    task_id: str,
    source_queue_id: int,
    source_arn: str,
    destination_arn: str | None,
    rate: int | None,
    now_ms: int,
) -> MoveTask | None:
    """Record a RUNNING task; None when the source queue already has an active one."""
    active = conn.execute(
        "SELECT 1 FROM move_tasks WHERE source_arn = ? AND status IN (?, ?)", (source_arn, *ACTIVE)
    ).fetchone()
    if active is not None:
        return None
    (last_row_id,) = conn.execute(
        "SELECT COALESCE(MAX(id), 0) FROM messages WHERE queue_id = ?", (source_queue_id,)
    ).fetchone()
    params = _movable_params(source_queue_id, last_row_id, destination_arn is None, now_ms)
    (to_move,) = conn.execute(f"SELECT COUNT(*) {_MOVABLE}", params).fetchone()
    row = conn.execute(
        "INSERT INTO move_tasks (task_id, source_queue_id, source_arn, destination_arn, rate, status, to_move,"
        f" last_row_id, started_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
        (task_id, source_queue_id, source_arn, destination_arn, rate, RUNNING, to_move, last_row_id, now_ms),
    ).fetchone()
    return MoveTask(*row)


def find(conn: sqlite3.Connection, task_id: str) -> MoveTask | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM move_tasks WHERE task_id = ?", (task_id,)).fetchone()
    return None if row is None else MoveTask(*row)


def newest(conn: sqlite3.Connection, source_arn: str, limit: int) -> list[MoveTask]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM move_tasks WHERE source_arn = ? ORDER BY id DESC LIMIT ?",
        (source_arn, limit),
    )
    return [MoveTask(*row) for row in rows]


def active(conn: sqlite3.Connection) -> list[MoveTask]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM move_tasks WHERE status IN (?, ?) ORDER BY id", ACTIVE)
    return [MoveTask(*row) for row in rows]


def set_status(
    conn: sqlite3.Connection, task_id: str, status: str, failure_reason: str | None = None
) -> None:
    conn.execute(
        "UPDATE move_tasks SET status = ?, failure_reason = ? WHERE task_id = ?",
        (status, failure_reason, task_id),
    )


def transition(conn: sqlite3.Connection, task_id: str, old: str, new: str) -> MoveTask | None:
    """Move the task from status `old` to `new` in one statement; None when it was not in `old` any more
    (it completed, failed or was cancelled meanwhile)."""
    row = conn.execute(
        f"UPDATE move_tasks SET status = ? WHERE task_id = ? AND status = ? RETURNING {_COLUMNS}",
        (new, task_id, old),
    ).fetchone()
    return None if row is None else MoveTask(*row)


def fail_if_active(conn: sqlite3.Connection, task_id: str, reason: str) -> None:
    conn.execute(
        "UPDATE move_tasks SET status = ?, failure_reason = ? WHERE task_id = ? AND status IN (?, ?)",
        (FAILED, reason, task_id, *ACTIVE),
    )


def add_moved(conn: sqlite3.Connection, task_id: str, count: int) -> None:
    conn.execute("UPDATE move_tasks SET moved = moved + ? WHERE task_id = ?", (count, task_id))


def next_movable(
    conn: sqlite3.Connection, task: MoveTask, now_ms: int, limit: int
) -> list[tuple[int, str | None]]:
    """(row id, dead-letter source ARN) of the next messages the task may move, oldest first."""
    params = _movable_params(task.source_queue_id, task.last_row_id, task.destination_arn is None, now_ms)
    rows = conn.execute(
        f"SELECT id, dead_letter_source {_MOVABLE} ORDER BY id LIMIT :limit", params | {"limit": limit}
    )
    return [(int(row_id), source) for row_id, source in rows]
