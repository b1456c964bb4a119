"""Hot-path statements stay index searches: their cost must not grow with the backlog or the queue count."""

from __future__ import annotations

import re
import sqlite3

import pytest

from persistence import messages
from persistence.migrate import migrate


def _selection(claim: str) -> str:
    return claim.split("WHERE id IN (", 1)[1].rsplit(")", 1)[0]


@pytest.fixture
def conn() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    migrate(connection)
    return connection


@pytest.mark.parametrize(
    ("statement", "params", "index"),
    [
        (_selection(messages._CLAIM), (1, 1, 1, 10), "messages_by_visibility"),
        # Fair queues: distinct groups by skip-scan, one index seek each.
        (messages._GROUP_IDS, {"queue": 1, "limit": 10}, "messages_by_group"),
        # FIFO: ready groups, a group's head and its messages in order, its received messages, dedup ids.
        (
            "SELECT group_id FROM fifo_groups WHERE queue_id = ? AND ready_at_ms <= ? ORDER BY ready_at_ms LIMIT ?",
            (1, 1, 1),
            "fifo_groups_by_ready",
        ),
        (
            "SELECT id, visible_at_ms, expires_at_ms FROM messages WHERE queue_id = ? AND group_id = ? ORDER BY id",
            (1, "g"),
            "messages_by_group",
        ),
        (
            "SELECT MAX(visible_at_ms) FROM messages WHERE queue_id = ? AND group_id = ? AND receive_count > 0",
            (1, "g"),
            "messages_received_by_group",
        ),
        (
            "SELECT group_id, COUNT(*) FROM messages WHERE queue_id = ? AND group_id IS NOT NULL"
            " AND receive_count > 0 AND visible_at_ms > ? GROUP BY group_id",
            (1, 1),
            "messages_by_visibility",  # in flight or delayed: a range as short as the in-flight count
        ),
        (
            "SELECT message_id FROM fifo_dedup WHERE queue_id = ? AND dedup_id = ? AND group_id = ?",
            (1, "d", ""),
            "PRIMARY KEY",
        ),
        (
            "SELECT MIN(visible_at_ms) FROM messages WHERE queue_id = ? AND visible_at_ms > ?",
            (1, 1),
            "messages_by_visibility",
        ),
        ("SELECT id FROM messages WHERE expires_at_ms <= ? LIMIT ?", (1, 1), "messages_by_expiry"),
    ],
)
def test_statement_searches_its_index(
    conn: sqlite3.Connection, statement: str, params: object, index: str
) -> None:
    plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params))  # type: ignore[arg-type]
    assert f"USING {index}" in plan or f"INDEX {index}" in plan
    assert not re.search(r"SCAN (messages|queues|fifo_\w+|receive_attempts|move_tasks)\b", plan), plan
