"""SNS's outbox rows (deliveries over the network): plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from persistence import due_rows

TABLE = "sns_outbox"


class Delivery(NamedTuple):
    subscription_arn: str
    topic_arn: str
    endpoint: str
    kind: str
    message_id: str
    body: str
    raw: bool


class Pending(NamedTuple):
    id: int
    delivery: Delivery
    attempts: int


def insert(conn: sqlite3.Connection, deliveries: list[Delivery], due_ms: int) -> None:
    conn.executemany(
        "INSERT INTO sns_outbox (subscription_arn, topic_arn, endpoint, kind, message_id, body, raw, due_ms)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(*delivery[:6], int(delivery.raw), due_ms) for delivery in deliveries],
    )


def due(conn: sqlite3.Connection, now_ms: int, limit: int, skip: set[int]) -> list[Pending]:
    """The deliveries due by now, oldest due first, leaving out those in `skip` (being sent)."""
    rows = conn.execute(
        "SELECT id, subscription_arn, topic_arn, endpoint, kind, message_id, body, raw, attempts FROM sns_outbox"
        " WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?",
        (now_ms, limit + len(skip)),
    )
    found = [
        Pending(row_id, Delivery(subscription, topic, endpoint, kind, message_id, body, bool(raw)), attempts)
        for row_id, subscription, topic, endpoint, kind, message_id, body, raw, attempts in rows
        if row_id not in skip
    ]
    return found[:limit]


def next_due_ms(conn: sqlite3.Connection, skip: set[int]) -> int | None:
    return due_rows.next_due_ms(conn, TABLE, skip)


def reschedule(conn: sqlite3.Connection, delivery_id: int, attempts: int, due_ms: int) -> None:
    due_rows.reschedule(conn, TABLE, delivery_id, attempts, due_ms)


def delete(conn: sqlite3.Connection, delivery_id: int) -> None:
    due_rows.delete(conn, TABLE, delivery_id)


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sns_outbox")


def count(conn: sqlite3.Connection) -> int:
    (total,) = conn.execute("SELECT COUNT(*) FROM sns_outbox").fetchone()
    return int(total)
