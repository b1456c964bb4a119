"""A database written by an earlier version opens with the current schema and keeps its data."""

from __future__ import annotations

import sqlite3
from importlib import resources

from persistence import messages
from persistence.migrate import migrate


def test_version_1_database_upgrades_with_its_messages() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    first = (resources.files("persistence") / "migrations" / "0001_initial.sql").read_text()
    conn.executescript(first + "\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO queues (account, region, name, attributes, created_s, modified_s)"
        " VALUES ('1', 'r', 'q', '{}', 0, 0)"
    )
    conn.execute(
        "INSERT INTO messages (queue_id, message_id, body, body_md5, sender_id, sent_ms, visible_at_ms,"
        " expires_at_ms) VALUES (1, 'm', 'b', 'd', 's', 0, 0, 100)"
    )
    assert migrate(conn) >= 2
    (message,) = messages.claim(conn, 1, now_ms=1, limit=10, visibility_ms=30_000)
    assert (message.message_id, message.sequence_number, message.dead_letter_source) == ("m", None, None)
    assert conn.execute("SELECT last_sequence FROM queues").fetchone() == (0,)
