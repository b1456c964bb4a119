"""Numbered SQL migrations, applied in order; the database's user_version records the last one applied."""

from __future__ import annotations

import sqlite3
from importlib import resources


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("persistence") / "migrations"
    found = [
        (int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database; return the resulting schema version."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    for number, script in _migrations():
        if number > version:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            version = number
    return int(version)
