"""SNS's per-account settings rows (kind, key, value): plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3

Scope = tuple[str, str, str]
"""(account, region, kind)"""


def load(conn: sqlite3.Connection, scope: Scope) -> dict[str, str]:
    rows = conn.execute(
        "SELECT key, value FROM sns_settings WHERE account = ? AND region = ? AND kind = ? ORDER BY key",
        scope,
    )
    return dict(rows.fetchall())


def put(conn: sqlite3.Connection, scope: Scope, values: dict[str, str]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO sns_settings (account, region, kind, key, value) VALUES (?, ?, ?, ?, ?)",
        [(*scope, key, value) for key, value in values.items()],
    )


def delete(conn: sqlite3.Connection, scope: Scope, key: str) -> None:
    conn.execute(
        "DELETE FROM sns_settings WHERE account = ? AND region = ? AND kind = ? AND key = ?", (*scope, key)
    )


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sns_settings")
