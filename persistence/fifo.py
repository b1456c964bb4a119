"""FIFO queues in SQL: sequence numbers, deduplication, message groups and their locks.

A FIFO message group has a row in `fifo_groups` while it holds messages. Its `ready_at_ms` is when the group
next has something to deliver: while any of its messages has been received, the earliest moment one of those
is visible again (AWS unlocks a group as soon as one of its in-flight messages is visible again, and delivers
that one while the others stay in flight); otherwise when its head is visible. So a receive finds deliverable
groups through an index (`ready_at_ms <= now`) instead of scanning messages. Every change to a group's head or
received messages calls `refresh_group`.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

import orjson

from persistence.messages import COLUMNS, claim_ids, insert_sequenced, visible_in_group
from persistence.records import MessageRecord, NewMessage

DEDUP_WINDOW_MS = 5 * 60 * 1000


class Sent(NamedTuple):
    message_id: str
    sequence_number: int
    duplicate: bool


def next_sequence(conn: sqlite3.Connection, queue_id: int, count: int = 1) -> int | None:
    """The first of `count` new SequenceNumbers of the queue; None when the queue does not exist (any more)."""
    row = conn.execute(
        "UPDATE queues SET last_sequence = last_sequence + ? WHERE id = ? RETURNING last_sequence",
        (count, queue_id),
    ).fetchone()
    return None if row is None else int(row[0]) - count + 1


# Claim a deduplication id: a new one, or one whose five minutes are over. No row back: a duplicate.
_CLAIM_DEDUP_ID = """
INSERT INTO fifo_dedup (queue_id, dedup_id, group_id, message_id, sequence_number, expires_at_ms)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT DO UPDATE SET message_id = excluded.message_id, sequence_number = excluded.sequence_number,
    expires_at_ms = excluded.expires_at_ms
WHERE fifo_dedup.expires_at_ms <= ?
RETURNING 1
"""


def add_to_group(conn: sqlite3.Connection, queue_id: int, group_id: str, visible_at_ms: int) -> None:
    """A message joined the group's tail: only a new group's readiness depends on it."""
    conn.execute(
        "INSERT OR IGNORE INTO fifo_groups (queue_id, group_id, ready_at_ms) VALUES (?, ?, ?)",
        (queue_id, group_id, visible_at_ms),
    )


def send(
    conn: sqlite3.Connection, queue_id: int, messages: list[NewMessage], per_group_dedup: bool, now_ms: int
) -> list[Sent] | None:
    """Enqueue in order, skipping duplicates; None when the queue does not exist (any more).

    Deduplication ids are kept per group (scope `messageGroup`) or under the group '' (scope `queue`); ids
    kept before a scope change do not count after it.
    """
    sequence = next_sequence(conn, queue_id, len(messages))
    if sequence is None:
        return None
    sent: list[Sent] = []
    for message in messages:
        assert message.group_id is not None and message.dedup_id is not None
        scope = message.group_id if per_group_dedup else ""
        key = (queue_id, message.dedup_id, scope)
        claimed = conn.execute(
            _CLAIM_DEDUP_ID, (*key, message.message_id, sequence, now_ms + DEDUP_WINDOW_MS, now_ms)
        ).fetchone()
        if claimed is None:
            original = conn.execute(
                "SELECT message_id, sequence_number FROM fifo_dedup"
                " WHERE queue_id = ? AND dedup_id = ? AND group_id = ?",
                key,
            ).fetchone()
            sent.append(Sent(original[0], original[1], duplicate=True))
            continue
        insert_sequenced(conn, queue_id, message, sequence)
        add_to_group(conn, queue_id, message.group_id, message.visible_at_ms)
        sent.append(Sent(message.message_id, sequence, duplicate=False))
        sequence += 1
    return sent


def refresh_group(conn: sqlite3.Connection, queue_id: int, group_id: str) -> None:
    # A message stops holding its group back when it expires, even before retention deletes it.
    head = conn.execute(
        "SELECT MIN(visible_at_ms, expires_at_ms) FROM messages WHERE queue_id = ? AND group_id = ?"
        " ORDER BY id LIMIT 1",
        (queue_id, group_id),
    ).fetchone()
    if head is None:
        conn.execute("DELETE FROM fifo_groups WHERE queue_id = ? AND group_id = ?", (queue_id, group_id))
        return
    (received,) = conn.execute(
        "SELECT MIN(MIN(visible_at_ms, expires_at_ms)) FROM messages"
        " WHERE queue_id = ? AND group_id = ? AND receive_count > 0",
        (queue_id, group_id),
    ).fetchone()
    ready_at = int(head[0]) if received is None else int(received)
    conn.execute(
        "INSERT OR REPLACE INTO fifo_groups (queue_id, group_id, ready_at_ms) VALUES (?, ?, ?)",
        (queue_id, group_id, ready_at),
    )


def claim(
    conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int, visibility_ms: int
) -> list[MessageRecord]:
    """Receive from ready groups, oldest-ready first, as many of each group's messages as it can give before the
    next group: its leading visible messages, or, while some of it is in flight, those received before that
    are visible again."""
    groups = conn.execute(
        "SELECT group_id FROM fifo_groups WHERE queue_id = ? AND ready_at_ms <= ? ORDER BY ready_at_ms LIMIT ?",
        (queue_id, now_ms, limit),
    ).fetchall()
    claimed: list[int] = []
    touched: list[str] = []
    for (group_id,) in groups:
        wanted = limit - len(claimed)
        if _in_flight(conn, queue_id, group_id, now_ms):
            found = _visible_again(conn, queue_id, group_id, now_ms, wanted)
        else:
            found = [
                row_id
                for row_id, _ in visible_in_group(conn, queue_id, group_id, now_ms, wanted, leading_only=True)
            ]
        if found:
            claimed += found
            touched.append(group_id)
        if len(claimed) == limit:
            break
    position = {row_id: i for i, row_id in enumerate(claimed)}
    received = sorted(claim_ids(conn, claimed, now_ms, visibility_ms), key=lambda m: position[m.id])
    for group_id in touched:
        refresh_group(conn, queue_id, group_id)
    return received


def _in_flight(conn: sqlite3.Connection, queue_id: int, group_id: str, now_ms: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM messages WHERE queue_id = ? AND group_id = ? AND receive_count > 0"
            " AND visible_at_ms > ? AND expires_at_ms > ? LIMIT 1",
            (queue_id, group_id, now_ms, now_ms),
        ).fetchone()
        is not None
    )


def _visible_again(
    conn: sqlite3.Connection, queue_id: int, group_id: str, now_ms: int, limit: int
) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM messages WHERE queue_id = ? AND group_id = ? AND receive_count > 0"
        " AND visible_at_ms <= ? AND expires_at_ms > ? ORDER BY id LIMIT ?",
        (queue_id, group_id, now_ms, now_ms, limit),
    )
    return [row_id for (row_id,) in rows]


def refresh_groups_of(conn: sqlite3.Connection, queue_id: int, row_ids: list[int]) -> None:
    """Refresh, once each, the groups of these messages."""
    groups = {
        row[0]
        for row_id in row_ids
        if (row := conn.execute("SELECT group_id FROM messages WHERE id = ?", (row_id,)).fetchone())
    }
    for group_id in groups:
        refresh_group(conn, queue_id, group_id)


def delete_expired(conn: sqlite3.Connection, now_ms: int, limit: int) -> int:
    """Drop up to `limit` deduplication ids and receive attempts past their five minutes."""
    dropped = 0
    for table, key in (
        ("fifo_dedup", "queue_id, dedup_id, group_id"),
        ("receive_attempts", "queue_id, attempt_id"),
    ):
        cursor = conn.execute(
            f"DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE expires_at_ms <= ? LIMIT ?)",
            (now_ms, limit),
        )
        dropped = max(dropped, cursor.rowcount)
    return dropped


ATTEMPT_WINDOW_MS = 5 * 60 * 1000


def record_attempt(
    conn: sqlite3.Connection, queue_id: int, attempt_id: str, received: list[MessageRecord], now_ms: int
) -> None:
    entries = [[m.id, m.receive_count, m.visible_at_ms] for m in received]
    conn.execute(
        "INSERT OR REPLACE INTO receive_attempts (queue_id, attempt_id, messages, expires_at_ms) VALUES (?, ?, ?, ?)",
        (queue_id, attempt_id, orjson.dumps(entries).decode(), now_ms + ATTEMPT_WINDOW_MS),
    )


def replay_attempt(
    conn: sqlite3.Connection, queue_id: int, attempt_id: str, now_ms: int, visibility_ms: int
) -> list[MessageRecord] | None:
    """A retried receive: the messages the first attempt returned, their visibility timeout restarted; None
    when there was no such attempt in the last five minutes or one of its messages was deleted, received
    again or re-timed since (then the retry is a new receive)."""
    row = conn.execute(
        "SELECT messages FROM receive_attempts WHERE queue_id = ? AND attempt_id = ? AND expires_at_ms > ?",
        (queue_id, attempt_id, now_ms),
    ).fetchone()
    if row is None:
        return None
    replayed: list[MessageRecord] = []
    for row_id, receive_count, visible_at_ms in orjson.loads(row[0]):
        found = conn.execute(
            f"SELECT {COLUMNS} FROM messages WHERE id = ? AND queue_id = ?", (row_id, queue_id)
        ).fetchone()
        message = None if found is None else MessageRecord(*found)
        if message is None or (message.receive_count, message.visible_at_ms) != (
            receive_count,
            visible_at_ms,
        ):
            return None
        replayed.append(message._replace(visible_at_ms=now_ms + visibility_ms))
    for message in replayed:
        conn.execute(
            "UPDATE messages SET visible_at_ms = ? WHERE id = ?", (message.visible_at_ms, message.id)
        )
    for group_id in {m.group_id for m in replayed if m.group_id is not None}:
        refresh_group(conn, queue_id, group_id)
    entries = [[m.id, m.receive_count, m.visible_at_ms] for m in replayed]
    conn.execute(
        "UPDATE receive_attempts SET messages = ? WHERE queue_id = ? AND attempt_id = ?",
        (orjson.dumps(entries).decode(), queue_id, attempt_id),
    )
    return replayed


def delete(
    conn: sqlite3.Connection, queue_id: int, handles: list[tuple[int, str, int]], now_ms: int
) -> list[bool]:
    """Delete messages by (row id, message id, receive count) of their receipt handles; per handle, whether it
    had expired (its visibility timeout ran out, or the message was received again), leaving the message.
    A message already deleted is no error. Each group touched is refreshed once, after all the deletes."""
    expired: list[bool] = []
    groups: set[str] = set()
    for row_id, message_id, receive_count in handles:
        row = conn.execute(
            "SELECT receive_count, visible_at_ms, group_id FROM messages"
            " WHERE id = ? AND queue_id = ? AND message_id = ?",
            (row_id, queue_id, message_id),
        ).fetchone()
        stale = row is not None and (row[0] != receive_count or row[1] <= now_ms)
        if row is not None and not stale:
            conn.execute("DELETE FROM messages WHERE id = ?", (row_id,))
            groups.add(row[2])
        expired.append(stale)
    for group_id in groups:
        refresh_group(conn, queue_id, group_id)
    return expired


def next_ready_ms(conn: sqlite3.Connection, queue_id: int, now_ms: int) -> int | None:
    """When the next locked or delayed group of the queue becomes ready, if any."""
    (when,) = conn.execute(
        "SELECT MIN(ready_at_ms) FROM fifo_groups WHERE queue_id = ? AND ready_at_ms > ?", (queue_id, now_ms)
    ).fetchone()
    return None if when is None else int(when)
