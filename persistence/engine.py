"""The database engine: one SQLite connection, one writer task, group commit.

Every operation is a plain function `op(conn) -> result` that runs in the connection's thread. The writer
task takes every operation waiting at that moment, runs them all in one `BEGIN IMMEDIATE ... COMMIT` (each
inside its own savepoint, so one failing operation undoes only itself), commits once, and only then answers
their callers. So an answered operation is committed, and many concurrent requests share one commit and
one thread round trip instead of paying three each.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite

from persistence.migrate import migrate

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], Any]
log = logging.getLogger("posthouse.store")

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # With WAL, NORMAL commits survive a killed process (the OS has the pages); only power loss can
    # take the last transactions back.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    # Checkpoint every ~40 MB of WAL instead of every 4 MB: a page rewritten many times in between is copied
    # back once. Writes spread over many queues dirty many index pages per commit, and frequent checkpoints
    # were both the main cost at 1,000 queues and the source of the p99 latency spikes.
    "PRAGMA wal_autocheckpoint = 10000",
    "PRAGMA journal_size_limit = 67108864",
)


def _run_ops(conn: sqlite3.Connection, ops: list[Op], isolated: bool) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    for op in ops:
        if not isolated:
            outcomes.append((True, op(conn)))
            continue
        conn.execute("SAVEPOINT op")
        try:
            outcomes.append((True, op(conn)))
        except Exception as error:  # handed back to that op's caller
            conn.execute("ROLLBACK TO op")
            outcomes.append((False, error))
        conn.execute("RELEASE op")
    return outcomes


def _run_batch(conn: sqlite3.Connection, ops: list[Op]) -> list[tuple[bool, Any]]:
    """Run in the database thread: all ops in one transaction.

    Ops rarely fail, so the first try runs them without savepoints; if one raises, the transaction is rolled
    back and the batch runs again with each op in its own savepoint, so the failure undoes only itself. Ops
    are plain functions of the database, so running one again gives the same outcome.
    """
    for isolated in (False, True):
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcomes = _run_ops(conn, ops, isolated)
            conn.execute("COMMIT")
            return outcomes
        except Exception:
            conn.execute("ROLLBACK")
            if isolated:
                raise
    raise AssertionError("unreachable")


def _run_read(conn: sqlite3.Connection, op: Op) -> Any:
    """Run in the reader thread: one read transaction, so every statement of `op` sees the same snapshot."""
    conn.execute("BEGIN")
    try:
        return op(conn)
    finally:
        conn.execute("COMMIT")


async def _in_thread(conn: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    # aiosqlite's public API costs one thread round trip per statement; its worker queue lets us run a whole
    # batch of statements in one round trip, which is what makes group commit pay off.
    result: T = await conn._execute(fn, conn._conn, *args)  # type: ignore[no-untyped-call]
    return result


class DatabaseClosed(RuntimeError):
    """An operation arrived before the database was opened or after it was closed."""


class DatabaseInUse(RuntimeError):
    """Another process has this database open: two writers would only wait on each other's locks."""


def _lock(path: str) -> int:
    handle = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise DatabaseInUse(f"{path} is in use by another Posthouse process") from None
    return handle


class Database:
    """A group-committing SQLite database. `path=None` keeps everything in memory.

    A file database also gets a reader connection: with WAL, reads (counts, peeks) run beside the writer
    instead of queueing behind it. In memory there is one connection, so reads join the write batches.
    """

    def __init__(self, path: str | None) -> None:
        self._path = path
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock: int | None = None
        self._pending: list[tuple[Op, asyncio.Future[Any]]] = []
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False

    async def open(self) -> None:
        if self._path is not None:
            os.makedirs(os.path.dirname(os.path.abspath(self._path)), exist_ok=True)
            self._lock = _lock(self._path)
        self._conn = await aiosqlite.connect(self._path or ":memory:", isolation_level=None)
        for pragma in _PRAGMAS:
            await self._conn.execute(pragma)
        await _in_thread(self._conn, migrate)
        if self._path is not None:
            self._reader = await aiosqlite.connect(self._path, isolation_level=None)
            for pragma in (*_PRAGMAS[1:], "PRAGMA query_only = ON"):
                await self._reader.execute(pragma)
        self._writer = asyncio.create_task(self._write_loop(), name="posthouse-writer")

    async def close(self) -> None:
        if self._writer is not None:
            self._closing = True
            self._wakeup.set()
            await self._writer
        for conn in (self._reader, self._conn):
            if conn is not None:
                await conn.close()
        self._conn = self._reader = None
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    async def run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run `op` in the next group transaction; return its result once that transaction is committed."""
        if self._writer is None or self._writer.done():
            raise DatabaseClosed("the database is not open")  # never leave a caller waiting forever
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        self._wakeup.set()
        return await future

    async def read(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read-only `op` on a committed snapshot, without waiting for the writer."""
        if self._reader is None:
            return await self.run(op)
        result: T = await _in_thread(self._reader, _run_read, op)
        return result

    async def _write_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            if batch:
                await self._commit(batch)
            if self._closing and not self._pending:
                return

    async def _commit(self, batch: list[tuple[Op, asyncio.Future[Any]]]) -> None:
        try:
            assert self._conn is not None
            outcomes = await _in_thread(self._conn, _run_batch, [op for op, _ in batch])
        except Exception as error:
            log.exception("group commit of %d operations failed", len(batch))
            outcomes = [(False, error)] * len(batch)
        for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
