"""Hot-path statements stay index searches: their cost must not grow with the backlog or the queue count."""

from __future__ import annotations

import sqlite3

import pytest

from persistence import messages
from persistence.migrate import migrate

CLAIM_SELECTION = messages._CLAIM.split("WHERE id IN (", 1)[1].rsplit(")", 1)[0]


@pytest.fixture
def conn() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    migrate(connection)
    return connection


@pytest.mark.parametrize(
    ("statement", "params", "index"),
    [
        (CLAIM_SELECTION, {"queue": 1, "now": 1, "limit": 10}, "messages_by_visibility"),
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
    assert f"INDEX {index}" in plan
    assert "SCAN" not in plan
