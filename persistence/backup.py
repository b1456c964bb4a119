"""A consistent copy of a live database, through SQLite's online backup API (safe while a server writes)."""

from __future__ import annotations

import os
import sqlite3


def backup(source: str, destination: str) -> int:
    """Copy the database at `source` to `destination` (a new file); returns its size in bytes. The copy holds
    every committed transaction, the WAL's included, and is a database of its own (no `-wal` needed)."""
    if not os.path.exists(source):
        raise FileNotFoundError(f"no database at {source}")
    if os.path.exists(destination):
        raise FileExistsError(f"{destination} exists already: choose a new file")
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reader,
        sqlite3.connect(destination) as writer,
    ):
        reader.backup(writer)
    reader.close()
    writer.close()
    return os.path.getsize(destination)
