"""Message rows: every queue state change is one statement, run inside a group transaction.

A message is visible when `visible_at_ms <= now`; delayed or in flight otherwise (in flight once it has been
received). So visibility timeouts and delays expire by themselves: no background job moves messages.
"""

from __future__ import annotations

import sqlite3
from enum import Enum

from persistence.records import MessageRecord, NewMessage, QueueCounts

_COLUMNS = (
    "id, message_id, body, body_md5, attributes, system_attributes, sender_id, group_id, dedup_id, sent_ms,"
    " visible_at_ms, expires_at_ms, receive_count, first_receive_ms, received_at_ms"
)
_INSERT = (
    "INSERT INTO messages (queue_id, message_id, body, body_md5, attributes, system_attributes, sender_id,"
    " group_id, dedup_id, sent_ms, visible_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Claim in one statement: pick the first visible, unexpired messages and make them invisible.
_CLAIM = f"""
UPDATE messages SET visible_at_ms = :visible_at, receive_count = receive_count + 1,
    first_receive_ms = COALESCE(first_receive_ms, :now), received_at_ms = :now
WHERE id IN (
    SELECT id FROM messages
    WHERE queue_id = :queue AND visible_at_ms <= :now AND expires_at_ms > :now
    ORDER BY visible_at_ms LIMIT :limit)
RETURNING {_COLUMNS}
"""
MAX_VISIBILITY_MS = 12 * 3600 * 1000


class VisibilityChange(Enum):
    CHANGED = "changed"
    GONE = "gone"
    """Deleted, expired, or received again since this handle was issued."""
    OVER_LIMIT = "over_limit"
    """Would keep the message invisible for more than 12 hours after its receive."""


def insert(conn: sqlite3.Connection, queue_id: int, messages: list[NewMessage]) -> bool:
    """Store messages; False when the queue does not exist (any more): the foreign key says so."""
    rows = [(queue_id, *message) for message in messages]
    try:
        if len(rows) == 1:
            conn.execute(_INSERT, rows[0])
        else:
            conn.executemany(_INSERT, rows)
    except sqlite3.IntegrityError:
        return False
    return True


def claim(
    conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int, visibility_ms: int
) -> list[MessageRecord]:
    params = {"queue": queue_id, "now": now_ms, "limit": limit, "visible_at": now_ms + visibility_ms}
    rows = [MessageRecord(*row) for row in conn.execute(_CLAIM, params)]
    rows.sort(key=lambda m: m.id)
    return rows


def next_visible_ms(conn: sqlite3.Connection, queue_id: int, now_ms: int) -> int | None:
    """When the next delayed or in-flight message of the queue becomes visible, if any."""
    (when,) = conn.execute(
        "SELECT MIN(visible_at_ms) FROM messages WHERE queue_id = ? AND visible_at_ms > ?", (queue_id, now_ms)
    ).fetchone()
    return None if when is None else int(when)


def delete(conn: sqlite3.Connection, queue_id: int, row_id: int, message_id: str) -> None:
    conn.execute(
        "DELETE FROM messages WHERE id = ? AND queue_id = ? AND message_id = ?",
        (row_id, queue_id, message_id),
    )


def change_visibility(
    conn: sqlite3.Connection,
    queue_id: int,
    row_id: int,
    message_id: str,
    receive_count: int,
    now_ms: int,
    visibility_ms: int,
) -> VisibilityChange:
    row = conn.execute(
        "SELECT receive_count, received_at_ms FROM messages"
        " WHERE id = ? AND queue_id = ? AND message_id = ? AND expires_at_ms > ?",
        (row_id, queue_id, message_id, now_ms),
    ).fetchone()
    if row is None or row[0] != receive_count:
        return VisibilityChange.GONE
    if now_ms + visibility_ms - row[1] > MAX_VISIBILITY_MS:
        return VisibilityChange.OVER_LIMIT
    conn.execute("UPDATE messages SET visible_at_ms = ? WHERE id = ?", (now_ms + visibility_ms, row_id))
    return VisibilityChange.CHANGED


def counts(conn: sqlite3.Connection, queue_id: int, now_ms: int) -> QueueCounts:
    visible, in_flight, delayed = conn.execute(
        "SELECT COUNT(*) FILTER (WHERE visible_at_ms <= :now),"
        " COUNT(*) FILTER (WHERE visible_at_ms > :now AND receive_count > 0),"
        " COUNT(*) FILTER (WHERE visible_at_ms > :now AND receive_count = 0)"
        " FROM messages WHERE queue_id = :queue AND expires_at_ms > :now",
        {"queue": queue_id, "now": now_ms},
    ).fetchone()
    return QueueCounts(visible, in_flight, delayed)


def retain(conn: sqlite3.Connection, queue_id: int, retention_ms: int) -> None:
    """Apply a queue's new retention period to the messages it holds."""
    conn.execute(
        "UPDATE messages SET expires_at_ms = sent_ms + ? WHERE queue_id = ?", (retention_ms, queue_id)
    )


def purge(conn: sqlite3.Connection, queue_id: int) -> None:
    conn.execute("DELETE FROM messages WHERE queue_id = ?", (queue_id,))


def peek(conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int) -> list[MessageRecord]:
    """Messages in enqueue order, changing nothing."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM messages WHERE queue_id = ? AND expires_at_ms > ? ORDER BY id LIMIT ?",
        (queue_id, now_ms, limit),
    )
    return [MessageRecord(*row) for row in rows]


def delete_expired(conn: sqlite3.Connection, now_ms: int, limit: int) -> int:
    """Drop up to `limit` messages past their retention period; return how many went."""
    cursor = conn.execute(
        "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE expires_at_ms <= ? LIMIT ?)",
        (now_ms, limit),
    )
    return cursor.rowcount
