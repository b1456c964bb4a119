"""The group-commit engine: one failing operation in a batch undoes only itself; answers mean committed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from persistence.engine import Database, DatabaseClosed


class Boom(Exception):
    pass


def insert(value: int) -> object:
    def op(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO t (v) VALUES (?)", (value,))
        return value

    return op


def insert_then_fail(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO t (v) VALUES (-1)")
    raise Boom()


async def test_a_failing_op_undoes_only_itself(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "db.sqlite"))
    await db.open()
    await db.run(lambda conn: conn.execute("CREATE TABLE t (v INTEGER)"))
    # Queued together, these share one transaction.
    results = await asyncio.gather(
        db.run(insert(1)), db.run(insert_then_fail), db.run(insert(2)), return_exceptions=True
    )
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], Boom)
    await db.close()

    reopened = sqlite3.connect(tmp_path / "db.sqlite")
    assert sorted(v for (v,) in reopened.execute("SELECT v FROM t")) == [1, 2]


async def test_in_memory_database(tmp_path: Path) -> None:
    db = Database(None)
    await db.open()
    assert await db.run(lambda conn: conn.execute("SELECT COUNT(*) FROM queues").fetchone()[0]) == 0
    await db.close()


async def test_operations_after_close_fail_instead_of_waiting(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "db.sqlite"))
    await db.open()
    await db.close()
    with pytest.raises(DatabaseClosed):
        await asyncio.wait_for(db.run(insert(1)), timeout=5)
