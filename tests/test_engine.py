"""The group-commit engine: one failing operation in a batch undoes only itself; answers mean committed;
nothing an operation does, and no failure of the database, leaves a caller waiting or stops the writer."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from persistence.connection_thread import ConnectionThread, ThreadStopped
from persistence.engine import Database, DatabaseClosed, DatabaseUnavailable, OperationFailed


class Boom(Exception):
    pass


class Fatal(BaseException):
    """Not an Exception: what used to kill the writer."""


def insert(value: int) -> Callable[[sqlite3.Connection], int]:
    def op(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO t (v) VALUES (?)", (value,))
        return value

    return op


def raising(error: BaseException) -> Callable[[sqlite3.Connection], None]:
    def op(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t (v) VALUES (-1)")
        raise error

    return op


def values(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return sorted(v for (v,) in conn.execute("SELECT v FROM t"))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(str(tmp_path / "db.sqlite"))
    await database.open()
    await database.run(lambda conn: conn.execute("CREATE TABLE t (v INTEGER)"))
    yield database
    await database.close()


async def answer(awaitable: object) -> object:
    """Await with a deadline: a hang is a failure, not a stuck suite."""
    return await asyncio.wait_for(awaitable, timeout=5)  # type: ignore[arg-type]


async def test_a_failing_op_undoes_only_itself(db: Database, tmp_path: Path) -> None:
    # Queued together, these share one transaction.
    results = await asyncio.gather(
        db.run(insert(1)), db.run(raising(Boom())), db.run(insert(2)), return_exceptions=True
    )
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], Boom)
    assert values(tmp_path / "db.sqlite") == [1, 2]


async def test_an_op_runs_once_even_when_its_batch_neighbour_fails(db: Database) -> None:
    calls: list[int] = []

    def counted(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("INSERT INTO t (v) VALUES (7)")

    await asyncio.gather(db.run(counted), db.run(raising(Boom())), return_exceptions=True)
    assert calls == [1]


@pytest.mark.parametrize("error", [Fatal(), StopIteration(), KeyboardInterrupt()])
async def test_whatever_an_op_raises_reaches_its_caller_and_the_writer_goes_on(
    db: Database, tmp_path: Path, error: BaseException
) -> None:
    results = await answer(
        asyncio.gather(db.run(insert(1)), db.run(raising(error)), db.run(insert(2)), return_exceptions=True)
    )
    assert isinstance(results, list)
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], OperationFailed)
    assert await answer(db.run(insert(3))) == 3
    assert values(tmp_path / "db.sqlite") == [1, 2, 3]
    assert db.writer_restarts == 0


async def test_a_failed_commit_fails_its_whole_batch_and_the_next_batch_commits(
    db: Database, tmp_path: Path
) -> None:
    # A deferred foreign key is checked only at COMMIT: the commit itself fails.
    await db.run(lambda conn: conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
    await db.run(
        lambda conn: conn.execute(
            "CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    )
    orphan = lambda conn: conn.execute("INSERT INTO child (p) VALUES (42)")  # noqa: E731
    results = await answer(asyncio.gather(db.run(insert(1)), db.run(orphan), return_exceptions=True))
    assert isinstance(results, list)
    assert all(isinstance(r, DatabaseUnavailable) for r in results)
    assert "FOREIGN KEY" in str(results[0])
    assert await answer(db.run(insert(2))) == 2
    assert values(tmp_path / "db.sqlite") == [2]


async def test_disk_full_gives_the_real_error_and_writes_resume_when_space_returns(
    db: Database, tmp_path: Path
) -> None:
    pages = await db.run(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
    await db.run(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages + 2}"))
    await db.run(lambda conn: conn.execute("CREATE TABLE blobs (b BLOB)"))

    def fill(conn: sqlite3.Connection) -> None:
        for _ in range(100):
            conn.execute("INSERT INTO blobs (b) VALUES (zeroblob(16384))")

    results = await answer(asyncio.gather(db.run(insert(1)), db.run(fill), return_exceptions=True))
    assert isinstance(results, list)
    failure = results[1]
    assert isinstance(failure, sqlite3.OperationalError | DatabaseUnavailable)
    assert "full" in str(failure)
    await db.run(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
    assert await answer(db.run(insert(2))) == 2
    assert 2 in values(tmp_path / "db.sqlite")


async def test_a_dead_writer_fails_its_batch_and_a_new_writer_takes_the_queue(db: Database) -> None:
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow(conn: sqlite3.Connection) -> int:
        loop.call_soon_threadsafe(started.set)
        time.sleep(0.2)
        return 1

    in_flight = asyncio.ensure_future(db.run(slow))
    await answer(started.wait())
    queued = asyncio.ensure_future(db.run(insert(5)))
    await asyncio.sleep(0)
    (writer,) = [t for t in asyncio.all_tasks() if t.get_name() == "posthouse-writer"]
    writer.cancel()
    with pytest.raises(DatabaseUnavailable):
        await answer(in_flight)
    assert await answer(queued) == 5
    assert db.writer_restarts == 1
    assert await db.probe(5) is None


async def test_a_caller_that_gives_up_does_not_disturb_the_writer(db: Database, tmp_path: Path) -> None:
    abandoned = asyncio.ensure_future(db.run(insert(1)))
    await asyncio.sleep(0)
    abandoned.cancel()
    assert await answer(db.run(insert(2))) == 2
    assert values(tmp_path / "db.sqlite") == [1, 2]  # queued before the caller left: committed anyway


async def test_safe_durability_syncs_every_commit(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "db.sqlite"), durability="safe")
    await db.open()
    assert await db.run(lambda conn: conn.execute("PRAGMA synchronous").fetchone()[0]) == 2  # FULL
    await db.close()


async def test_in_memory_database() -> None:
    db = Database(None)
    await db.open()
    assert await db.run(lambda conn: conn.execute("SELECT COUNT(*) FROM queues").fetchone()[0]) == 0
    await db.close()


async def test_operations_after_close_fail_instead_of_waiting(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "db.sqlite"))
    await db.open()
    await db.close()
    with pytest.raises(DatabaseClosed):
        await answer(db.run(insert(1)))
    assert await db.probe(1) is not None


async def test_a_read_that_raises_anything_leaves_the_reader_thread_running(db: Database) -> None:
    def interrupted(conn: sqlite3.Connection) -> None:
        raise KeyboardInterrupt

    with pytest.raises(RuntimeError) as excinfo:
        await db.read(interrupted)
    assert isinstance(excinfo.value.__cause__, KeyboardInterrupt)
    assert await db.read(lambda conn: conn.execute("SELECT 41 + 1").fetchone()[0]) == 42


async def test_a_connection_that_cannot_open_says_why(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await ConnectionThread.open(str(tmp_path / "no-such-folder" / "db.sqlite"), "test")


async def test_close_finishes_the_calls_handed_over(tmp_path: Path) -> None:
    thread = await ConnectionThread.open(str(tmp_path / "db.sqlite"), "test")
    pending = [thread.run(lambda conn, n: conn.execute("SELECT ?", (n,)).fetchone()[0], n) for n in range(50)]
    await thread.close()
    assert [await future for future in pending] == list(range(50))
    with pytest.raises(ThreadStopped):
        thread.run(lambda conn: None)
