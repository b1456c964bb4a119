"""Queue rows: create, change, delete, load. Plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3

import orjson

from persistence.records import QueueRecord

_COLUMNS = "id, account, region, name, attributes, tags, created_s, modified_s, last_purge_ms"


def _record(row: tuple[object, ...]) -> QueueRecord:
    qid, account, region, name, attributes, tags, created_s, modified_s, last_purge_ms = row
    return QueueRecord(
        id=int(qid),  # type: ignore[call-overload]
        account=str(account),
        region=str(region),
        name=str(name),
        attributes=orjson.loads(attributes),  # type: ignore[arg-type]
        tags=orjson.loads(tags),  # type: ignore[arg-type]
        created_s=int(created_s),  # type: ignore[call-overload]
        modified_s=int(modified_s),  # type: ignore[call-overload]
        last_purge_ms=None if last_purge_ms is None else int(last_purge_ms),  # type: ignore[call-overload]
    )


def load_all(conn: sqlite3.Connection) -> list[QueueRecord]:
    return [_record(row) for row in conn.execute(f"SELECT {_COLUMNS} FROM queues")]


def find(conn: sqlite3.Connection, account: str, region: str, name: str) -> QueueRecord | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM queues WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    ).fetchone()
    return None if row is None else _record(row)


def insert(
    conn: sqlite3.Connection,
    account: str,
    region: str,
    name: str,
    attributes: dict[str, str],
    tags: dict[str, str],
    now_s: int,
) -> QueueRecord:
    cursor = conn.execute(
        "INSERT INTO queues (account, region, name, attributes, tags, created_s, modified_s)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (account, region, name, orjson.dumps(attributes), orjson.dumps(tags), now_s, now_s),
    )
    assert cursor.lastrowid is not None
    return QueueRecord(cursor.lastrowid, account, region, name, attributes, tags, now_s, now_s)


def update(conn: sqlite3.Connection, queue: QueueRecord) -> None:
    conn.execute(
        "UPDATE queues SET attributes = ?, tags = ?, modified_s = ?, last_purge_ms = ? WHERE id = ?",
        (
            orjson.dumps(queue.attributes),
            orjson.dumps(queue.tags),
            queue.modified_s,
            queue.last_purge_ms,
            queue.id,
        ),
    )


def delete(conn: sqlite3.Connection, queue_id: int) -> None:
    conn.execute("DELETE FROM messages WHERE queue_id = ?", (queue_id,))
    conn.execute("DELETE FROM queues WHERE id = ?", (queue_id,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM messages")
    conn.execute("DELETE FROM move_tasks")
    conn.execute("DELETE FROM queues")
