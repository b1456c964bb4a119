"""Message rows: every queue state change is one statement, run inside a group transaction.

A message is visible when `visible_at_ms <= now`; delayed or in flight otherwise (in flight once it has been
received). So visibility timeouts and delays expire by themselves: no background job moves messages.
"""

from __future__ import annotations

import sqlite3
from enum import Enum

from persistence.records import MessageRecord, NewMessage, QueueCounts

COLUMNS = (
    "id, message_id, body, body_md5, attributes, system_attributes, sender_id, group_id, dedup_id, sent_ms,"
    " visible_at_ms, expires_at_ms, receive_count, first_receive_ms, received_at_ms, sequence_number,"
    " dead_letter_source"
)
_INSERT = (
    "INSERT INTO messages (queue_id, message_id, body, body_md5, attributes, system_attributes, sender_id,"
    " group_id, dedup_id, sent_ms, visible_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SEQUENCED = (
    "INSERT INTO messages (queue_id, message_id, body, body_md5, attributes, system_attributes, sender_id,"
    " group_id, dedup_id, sent_ms, visible_at_ms, expires_at_ms, sequence_number)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# What a receive does to a message (parameters: new visible_at_ms, now, now).
CLAIM_SET = (
    "visible_at_ms = ?, receive_count = receive_count + 1, first_receive_ms = COALESCE(first_receive_ms, ?),"
    " received_at_ms = ?"
)
# Claim in one statement: pick the first visible, unexpired messages and make them invisible.
_CLAIM = f"""
UPDATE messages SET {CLAIM_SET}
WHERE id IN (
    SELECT id FROM messages
    WHERE queue_id = ? AND visible_at_ms <= ? AND expires_at_ms > ?
    ORDER BY visible_at_ms LIMIT ?)
RETURNING {COLUMNS}
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


def insert_sequenced(conn: sqlite3.Connection, queue_id: int, message: NewMessage, sequence: int) -> None:
    conn.execute(_INSERT_SEQUENCED, (queue_id, *message, sequence))


def claim(
    conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int, visibility_ms: int
) -> list[MessageRecord]:
    params = (now_ms + visibility_ms, now_ms, now_ms, queue_id, now_ms, now_ms, limit)
    rows = [MessageRecord(*row) for row in conn.execute(_CLAIM, params)]
    rows.sort(key=lambda m: m.id)
    return rows


def in_flight_by_group(conn: sqlite3.Connection, queue_id: int, now_ms: int) -> tuple[int, dict[str, int]]:
    """A fair queue's in-flight messages: the total, and per tenant (message group)."""
    (total,) = conn.execute(
        "SELECT COUNT(*) FROM messages WHERE queue_id = ? AND visible_at_ms > ? AND receive_count > 0",
        (queue_id, now_ms),
    ).fetchone()
    per_group = conn.execute(
        "SELECT group_id, COUNT(*) FROM messages"
        " WHERE queue_id = ? AND group_id IS NOT NULL AND receive_count > 0 AND visible_at_ms > ?"
        " GROUP BY group_id",
        (queue_id, now_ms),
    )
    return int(total), dict(per_group.fetchall())


def oldest_visible(
    conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int
) -> list[tuple[int, int, str | None]]:
    """(row id, visible_at_ms, group id) of the queue's `limit` oldest visible messages, claiming nothing."""
    rows = conn.execute(
        "SELECT id, visible_at_ms, group_id FROM messages"
        " WHERE queue_id = ? AND visible_at_ms <= ? AND expires_at_ms > ? ORDER BY visible_at_ms LIMIT ?",
        (queue_id, now_ms, now_ms, limit),
    )
    return rows.fetchall()


# Distinct group ids of a queue by skip-scan: one index seek per group, however many messages each holds.
_GROUP_IDS = """
WITH RECURSIVE groups(group_id) AS (
    SELECT (SELECT MIN(group_id) FROM messages WHERE queue_id = :queue AND group_id IS NOT NULL)
    UNION ALL
    SELECT (SELECT MIN(group_id) FROM messages WHERE queue_id = :queue AND group_id > groups.group_id)
    FROM groups WHERE groups.group_id IS NOT NULL
)
SELECT group_id FROM groups WHERE group_id IS NOT NULL LIMIT :limit
"""


def group_ids(conn: sqlite3.Connection, queue_id: int, limit: int) -> list[str]:
    return [row[0] for row in conn.execute(_GROUP_IDS, {"queue": queue_id, "limit": limit})]


def visible_in_group(
    conn: sqlite3.Connection,
    queue_id: int,
    group_id: str,
    now_ms: int,
    limit: int,
    *,
    leading_only: bool = False,
) -> list[tuple[int, int]]:
    """(row id, visible_at_ms) of a group's first `limit` visible, unexpired messages in enqueue order. Reads
    past the group's in-flight and delayed messages only, never past other groups' messages; `leading_only`
    (FIFO order) stops at the first one not visible."""
    found: list[tuple[int, int]] = []
    rows = conn.execute(
        "SELECT id, visible_at_ms, expires_at_ms FROM messages WHERE queue_id = ? AND group_id = ? ORDER BY id",
        (queue_id, group_id),
    )
    for row_id, visible_at_ms, expires_at_ms in rows:
        if expires_at_ms <= now_ms:
            continue
        if visible_at_ms > now_ms:
            if leading_only:
                break
            continue
        found.append((row_id, visible_at_ms))
        if len(found) == limit:
            break
    return found


def claim_ids(
    conn: sqlite3.Connection, row_ids: list[int], now_ms: int, visibility_ms: int
) -> list[MessageRecord]:
    """Claim the given messages (found visible earlier in this transaction)."""
    if not row_ids:
        return []
    marks = ",".join("?" * len(row_ids))
    rows = conn.execute(
        f"UPDATE messages SET {CLAIM_SET} WHERE id IN ({marks}) RETURNING {COLUMNS}",
        (now_ms + visibility_ms, now_ms, now_ms, *row_ids),
    )
    return sorted((MessageRecord(*row) for row in rows), key=lambda m: m.id)


def grouped_queue_ids(conn: sqlite3.Connection) -> set[int]:
    """Standard queues holding messages with a MessageGroupId: the fair queues. One index seek per standard
    queue (FIFO queue names end in `.fifo`, standard ones cannot), not a pass over every grouped message."""
    rows = conn.execute(
        "SELECT id FROM queues WHERE substr(name, -5) <> '.fifo' AND EXISTS"
        " (SELECT 1 FROM messages WHERE queue_id = queues.id AND group_id IS NOT NULL)"
    )
    return {int(queue_id) for (queue_id,) in rows}


def next_visible_ms(conn: sqlite3.Connection, queue_id: int, now_ms: int) -> int | None:
    """When the next delayed or in-flight message of the queue becomes visible, if any."""
    (when,) = conn.execute(
        "SELECT MIN(visible_at_ms) FROM messages WHERE queue_id = ? AND visible_at_ms > ?", (queue_id, now_ms)
    ).fetchone()
    return None if when is None else int(when)


def delete(conn: sqlite3.Connection, queue_id: int, messages: list[tuple[int, str]]) -> None:
    """Delete (row id, message id) pairs; one already gone is no error."""
    conn.executemany(
        "DELETE FROM messages WHERE id = ? AND queue_id = ? AND message_id = ?",
        [(row_id, queue_id, message_id) for row_id, message_id in messages],
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
    if row is None or row[0] < receive_count:
        return VisibilityChange.GONE  # (a handle from an earlier receive still counts, as on AWS)
    if now_ms + visibility_ms - row[1] > MAX_VISIBILITY_MS:
        return VisibilityChange.OVER_LIMIT
    conn.execute("UPDATE messages SET visible_at_ms = ? WHERE id = ?", (now_ms + visibility_ms, row_id))
    return VisibilityChange.CHANGED


COUNT_VISIBLE = "SELECT COUNT(*) FROM messages WHERE queue_id = ? AND visible_at_ms <= ?"


def counts(conn: sqlite3.Connection, queue_id: int, now_ms: int) -> QueueCounts:
    """The queue's visible, in-flight and delayed messages, past-retention ones left out. The visible are
    counted in the visibility index alone (no row is read: 2.5 ms for 100,000 messages, against 15 ms for a
    pass over the rows), less the expired ones the retention sweep has not deleted yet; only the invisible,
    usually few, are read to tell in-flight from delayed."""
    (visible,) = conn.execute(COUNT_VISIBLE, (queue_id, now_ms)).fetchone()
    (expired,) = conn.execute(
        "SELECT COUNT(*) FROM messages INDEXED BY messages_by_expiry"
        " WHERE expires_at_ms <= ? AND queue_id = ? AND visible_at_ms <= ?",
        (now_ms, queue_id, now_ms),
    ).fetchone()
    in_flight, delayed = conn.execute(
        "SELECT COUNT(*) FILTER (WHERE receive_count > 0), COUNT(*) FILTER (WHERE receive_count = 0)"
        " FROM messages WHERE queue_id = ? AND visible_at_ms > ? AND expires_at_ms > ?",
        (queue_id, now_ms, now_ms),
    ).fetchone()
    return QueueCounts(visible - expired, in_flight, delayed)


def gauges(
    conn: sqlite3.Connection, queue_ids: list[int], now_ms: int
) -> dict[int, tuple[QueueCounts, int | None]]:
    """For the metrics: each queue's counts, and when its oldest message was sent (None when empty)."""
    found = {}
    for queue_id in queue_ids:
        (oldest,) = conn.execute(
            "SELECT MIN(sent_ms) FROM messages WHERE queue_id = ? AND expires_at_ms > ?", (queue_id, now_ms)
        ).fetchone()
        found[queue_id] = (counts(conn, queue_id, now_ms), oldest)
    return found


def retain(conn: sqlite3.Connection, queue_id: int, retention_ms: int) -> None:
    """Apply a queue's new retention period to the messages it holds."""
    conn.execute(
        "UPDATE messages SET expires_at_ms = sent_ms + ? WHERE queue_id = ?", (retention_ms, queue_id)
    )


def purge(conn: sqlite3.Connection, queue_id: int) -> None:
    """Empty the queue; a FIFO queue forgets its deduplication ids and receive attempts too, as on AWS."""
    for table in ("messages", "fifo_groups", "fifo_dedup", "receive_attempts"):
        conn.execute(f"DELETE FROM {table} WHERE queue_id = ?", (queue_id,))


def peek(conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int) -> list[MessageRecord]:
    """Messages in enqueue order, changing nothing."""
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM messages WHERE queue_id = ? AND expires_at_ms > ? ORDER BY id LIMIT ?",
        (queue_id, now_ms, limit),
    )
    return [MessageRecord(*row) for row in rows]


def delete_expired(conn: sqlite3.Connection, now_ms: int, limit: int) -> tuple[int, set[tuple[int, str]]]:
    """Drop up to `limit` messages past their retention period; return how many went, and the FIFO groups
    (queue id, group id) they left."""
    rows = conn.execute(
        "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE expires_at_ms <= ? LIMIT ?)"
        " RETURNING queue_id, group_id, sequence_number",
        (now_ms, limit),
    ).fetchall()
    fifo_groups = {(queue_id, group_id) for queue_id, group_id, sequence in rows if sequence is not None}
    return len(rows), fifo_groups
