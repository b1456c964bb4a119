"""IAM's entities (roles, policies, users): one JSON document each, keyed by account, kind and name."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

Entity = tuple[str, str, str, dict[str, Any]]
"""(account, kind, name, document)."""


def load_all(conn: sqlite3.Connection) -> list[Entity]:
    rows = conn.execute("SELECT account, kind, name, body FROM iam_entities")
    return [(account, kind, name, orjson.loads(body)) for account, kind, name, body in rows]


def save(conn: sqlite3.Connection, account: str, kind: str, name: str, document: dict[str, Any]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO iam_entities (account, kind, name, body) VALUES (?, ?, ?, ?)",
        (account, kind, name, orjson.dumps(document).decode()),
    )


def delete(conn: sqlite3.Connection, account: str, kind: str, name: str) -> None:
    conn.execute(
        "DELETE FROM iam_entities WHERE account = ? AND kind = ? AND name = ?", (account, kind, name)
    )


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM iam_entities")
