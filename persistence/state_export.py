"""All of a server's state as one JSON document, and back: every row of every table, by column, with the
schema's version (a document is taken back only by a server of the same version). Bytes travel as
{"$base64": "…"}."""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

FORMAT = "posthouse-state"


class ImportRefused(ValueError):
    """Why a document cannot be taken in, in one line."""


def _tables(conn: sqlite3.Connection) -> list[str]:
    """Every table, each after the tables its foreign keys point at (so rows go in parents first)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    names = [name for (name,) in rows]
    parents = {
        name: {row[2] for row in conn.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        ordered += ready or [n for n in names if n not in ordered]  # a cycle: as they come
    return ordered


def _value_out(value: Any) -> Any:
    return {"$base64": base64.b64encode(value).decode()} if isinstance(value, bytes) else value


def _value_in(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"$base64"}:
            raise ImportRefused('a value is an object that is not {"$base64": …}')
        return base64.b64decode(value["$base64"])
    return value


def dump(conn: sqlite3.Connection) -> dict[str, Any]:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    tables = {}
    for table in _tables(conn):
        cursor = conn.execute(f'SELECT * FROM "{table}"')
        columns = [column[0] for column in cursor.description]
        tables[table] = {"columns": columns, "rows": [[_value_out(v) for v in row] for row in cursor]}
    return {"format": FORMAT, "schema_version": version, "tables": tables}


def load(conn: sqlite3.Connection, document: Any) -> int:
    """Replace every row with the document's (inside the caller's transaction); how many rows came in."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused(f'not a Posthouse state document (its "format" must be "{FORMAT}")')
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if document.get("schema_version") != version:
        raise ImportRefused(
            f"the document is of schema version {document.get('schema_version')}, this server's is {version}"
        )
    tables = document.get("tables")
    existing = set(_tables(conn))  # (ordered again below)
    if not isinstance(tables, dict) or not set(tables) <= existing:
        raise ImportRefused(f"unknown tables: {sorted(set(tables or {}) - existing)}")
    order = _tables(conn)
    for table in reversed(order):  # children first
        conn.execute(f'DELETE FROM "{table}"')
    count = 0
    for table in [t for t in order if t in tables]:
        content = tables[table]
        columns, rows = (
            (content.get("columns"), content.get("rows")) if isinstance(content, dict) else (None, None)
        )
        if not isinstance(columns, list) or not isinstance(rows, list):
            raise ImportRefused(f"table {table}: columns and rows must be lists")
        known = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if not set(map(str, columns)) <= known or len(set(map(str, columns))) != len(columns):
            raise ImportRefused(
                f"table {table}: columns must be distinct names of its columns: {sorted(known)}"
            )
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        try:
            conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                [[_value_in(v) for v in row] for row in rows],
            )
        except (sqlite3.Error, TypeError, ValueError) as error:
            raise ImportRefused(f"table {table}: {error}") from None
        count += len(rows)
    return count


def check(conn: sqlite3.Connection, document: Any) -> int:
    """Whether the document would load (ImportRefused if not), changing nothing."""
    conn.execute("SAVEPOINT state_check")
    try:
        return load(conn, document)
    finally:
        conn.execute("ROLLBACK TO state_check")
        conn.execute("RELEASE state_check")
