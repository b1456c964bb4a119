"""FIFO topics' deduplication rows: plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3

WINDOW_MS = 5 * 60 * 1000
SWEEP = 100
"""Expired rows dropped per publish: enough to keep up, small enough not to stall one."""


def first_published(
    conn: sqlite3.Connection, topic_arn: str, dedup_key: str, now_ms: int
) -> tuple[str, str] | None:
    """(message id, sequence number) of the unexpired publish this key duplicates, if any."""
    row = conn.execute(
        "SELECT message_id, sequence_number FROM sns_fifo_dedup WHERE topic_arn = ? AND dedup_key = ?"
        " AND expires_ms > ?",
        (topic_arn, dedup_key, now_ms),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def remember(
    conn: sqlite3.Connection,
    topic_arn: str,
    dedup_key: str,
    message_id: str,
    sequence_number: str,
    now_ms: int,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sns_fifo_dedup (topic_arn, dedup_key, message_id, sequence_number, expires_ms)"
        " VALUES (?, ?, ?, ?, ?)",
        (topic_arn, dedup_key, message_id, sequence_number, now_ms + WINDOW_MS),
    )


def sweep(conn: sqlite3.Connection, now_ms: int) -> None:
    conn.execute(
        "DELETE FROM sns_fifo_dedup WHERE rowid IN"
        " (SELECT rowid FROM sns_fifo_dedup WHERE expires_ms <= ? LIMIT ?)",
        (now_ms, SWEEP),
    )


def delete_of_topic(conn: sqlite3.Connection, topic_arn: str) -> None:
    conn.execute("DELETE FROM sns_fifo_dedup WHERE topic_arn = ?", (topic_arn,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sns_fifo_dedup")
