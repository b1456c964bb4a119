"""Lambda function rows: plain functions that run inside a group transaction. A function's code is read only
when a worker needs it."""

from __future__ import annotations

import sqlite3
from typing import Any

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
    conn.execute("DELETE FROM lambda_functions")  # their versions and aliases go with them


def load_versions(conn: sqlite3.Connection) -> list[tuple[str, int, dict[str, Any]]]:
    """(function ARN, version, configuration) of every published version."""
    rows = conn.execute("SELECT function_arn, version, configuration FROM lambda_versions")
    return [(arn, int(version), orjson.loads(configuration)) for arn, version, configuration in rows]


def insert_version(
    conn: sqlite3.Connection, function_arn: str, version: int, configuration: dict[str, Any]
) -> None:
    """Publish: the configuration given, and the function's code as it is now."""
    conn.execute(
        "INSERT INTO lambda_versions (function_arn, version, configuration, code)"
        " SELECT arn, ?, ?, code FROM lambda_functions WHERE arn = ?",
        (version, orjson.dumps(configuration), function_arn),
    )


def version_code_of(conn: sqlite3.Connection, function_arn: str, version: int) -> bytes | None:
    row = conn.execute(
        "SELECT code FROM lambda_versions WHERE function_arn = ? AND version = ?", (function_arn, version)
    ).fetchone()
    return None if row is None else bytes(row[0])


def delete_version(conn: sqlite3.Connection, function_arn: str, version: int) -> None:
    conn.execute(
        "DELETE FROM lambda_versions WHERE function_arn = ? AND version = ?", (function_arn, version)
    )


def load_aliases(conn: sqlite3.Connection) -> list[tuple[str, str, dict[str, Any]]]:
    """(function ARN, alias name, configuration) of every alias."""
    rows = conn.execute("SELECT function_arn, name, configuration FROM lambda_aliases")
    return [(arn, name, orjson.loads(configuration)) for arn, name, configuration in rows]


def put_alias(conn: sqlite3.Connection, function_arn: str, name: str, configuration: dict[str, Any]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO lambda_aliases (function_arn, name, configuration) VALUES (?, ?, ?)",
        (function_arn, name, orjson.dumps(configuration)),
    )


def delete_alias(conn: sqlite3.Connection, function_arn: str, name: str) -> None:
    conn.execute("DELETE FROM lambda_aliases WHERE function_arn = ? AND name = ?", (function_arn, name))
