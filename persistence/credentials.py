"""Temporary credentials STS issued: stored when issued, all loaded at start-up."""

from __future__ import annotations

import sqlite3

from persistence.records import IssuedCredentials

_COLUMNS = "access_key_id, secret_access_key, session_token, account, arn, user_id, expires_ms"


def save(conn: sqlite3.Connection, issued: IssuedCredentials) -> None:
    conn.execute(f"INSERT INTO sts_credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", issued)


def unexpired(conn: sqlite3.Connection, now_ms: int) -> list[IssuedCredentials]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM sts_credentials WHERE expires_ms > ?", (now_ms,))
    return [IssuedCredentials(*row) for row in rows]


def delete_expired(conn: sqlite3.Connection, now_ms: int) -> None:
    conn.execute("DELETE FROM sts_credentials WHERE expires_ms <= ?", (now_ms,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sts_credentials")
