"""Lambda function rows: plain functions that run inside a group transaction. A function's code is read only
when a worker needs it."""

from __future__ import annotations

import sqlite3

import orjson

from persistence.records import FunctionRecord


def load_all(conn: sqlite3.Connection) -> list[FunctionRecord]:
    rows = conn.execute("SELECT arn, account, region, name, configuration, tags FROM lambda_functions")
    return [
        FunctionRecord(arn, account, region, name, orjson.loads(configuration), orjson.loads(tags))
        for arn, account, region, name, configuration, tags in rows
    ]


def code_of(conn: sqlite3.Connection, arn: str) -> bytes | None:
    row = conn.execute("SELECT code FROM lambda_functions WHERE arn = ?", (arn,)).fetchone()
    return None if row is None else bytes(row[0])


def insert(conn: sqlite3.Connection, function: FunctionRecord, code: bytes) -> None:
    conn.execute(
        "INSERT INTO lambda_functions (arn, account, region, name, configuration, tags, code)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            function.arn,
            function.account,
            function.region,
            function.name,
            orjson.dumps(function.configuration),
            orjson.dumps(function.tags),
            code,
        ),
    )


def update(conn: sqlite3.Connection, function: FunctionRecord, code: bytes | None = None) -> None:
    """The configuration and tags; the code too, when given."""
    conn.execute(
        "UPDATE lambda_functions SET configuration = ?, tags = ? WHERE arn = ?",
        (orjson.dumps(function.configuration), orjson.dumps(function.tags), function.arn),
    )
    if code is not None:
        conn.execute("UPDATE lambda_functions SET code = ? WHERE arn = ?", (code, function.arn))


def delete(conn: sqlite3.Connection, arn: str) -> None:
    conn.execute("DELETE FROM lambda_functions WHERE arn = ?", (arn,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM lambda_functions")
