"""The database engine: one SQLite connection, one supervised writer task, group commit.

Every operation is a plain function `op(conn) -> result` that runs in the connection's thread. The writer
task takes every operation waiting at that moment, runs them all in one `BEGIN IMMEDIATE ... COMMIT`, each
inside its own savepoint (so one failing operation undoes only itself, and none runs twice), commits once,
and only then answers their callers. So an answered operation is committed, and many concurrent requests
share one commit and one thread round trip instead of paying three each.

Nothing an operation does can stop the writer: whatever it raises goes back to its own caller. Should the
writer task end anyway, every waiting caller gets `DatabaseUnavailable` at once and a new writer takes over.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from typing import Any, Literal, TextIO, TypeVar

from persistence.connection_thread import ConnectionThread, deliverable
from persistence.database_file import (
    RUNNING_SUFFIX,
    StorageRefused,
    lock,
    mark_running,
    quick_check,
    storage_fault,
)
from persistence.migrate import migrate

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], Any]
Outcome = tuple[bool, Any]
Durability = Literal["fast", "safe"]
log = logging.getLogger("posthouse.store")

_SYNCHRONOUS: dict[Durability, str] = {
    # With WAL, NORMAL commits survive a killed process (the OS has the pages); a power cut or an OS crash
    # can take the last transactions back.
    "fast": "PRAGMA synchronous = NORMAL",
    # FULL syncs the WAL at every commit: committed means on the disk, whatever happens to the machine.
    "safe": "PRAGMA synchronous = FULL",
}
_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
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


class DatabaseClosed(RuntimeError):
    """An operation arrived before the database was opened or after it was closed."""


class DatabaseUnavailable(RuntimeError):
    """The database could not run the operation: its transaction failed (disk full, I/O error, a failed
    commit), and nothing of it was committed; or the writer stopped while it waited."""


class OperationFailed(RuntimeError):
    """An operation raised something that cannot travel through a future as it is (a BaseException that is
    not an Exception, or StopIteration)."""


COMMIT_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
COMMIT_SECONDS_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class CommitStats:
    """Group commits since start: how many operations each carried and how long each took (histograms by
    upper bound, the last bucket open-ended), for the metrics."""

    def __init__(self) -> None:
        self.batches = [0] * (len(COMMIT_BATCH_BUCKETS) + 1)
        self.seconds = [0] * (len(COMMIT_SECONDS_BUCKETS) + 1)
        self.operations = 0
        self.total_seconds = 0.0

    def add(self, operations: int, seconds: float) -> None:
        self.batches[bisect.bisect_left(COMMIT_BATCH_BUCKETS, operations)] += 1
        self.seconds[bisect.bisect_left(COMMIT_SECONDS_BUCKETS, seconds)] += 1
        self.operations += operations
        self.total_seconds += seconds


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open: SQLite already rolled back after some errors (disk full,
    I/O error), and a second ROLLBACK would raise and hide the real error."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _run_op(conn: sqlite3.Connection, savepoints: sqlite3.Cursor, op: Op) -> Outcome:
    savepoints.execute("SAVEPOINT op")  # one cursor for the batch's savepoints: half the cost of conn.execute
    try:
        result = op(conn)
    except BaseException as error:  # handed back to that op's caller, whatever it is
        if not conn.in_transaction:
            raise DatabaseUnavailable(f"the transaction was lost: {error}") from error
        savepoints.execute("ROLLBACK TO op")
        savepoints.execute("RELEASE op")
        return False, deliverable(error, OperationFailed)
    savepoints.execute("RELEASE op")
    return True, result


def _run_batch(conn: sqlite3.Connection, ops: list[Op]) -> tuple[list[Outcome], bool]:
    """Run in the database thread: all ops in one transaction, each once, in its own savepoint; and whether
    the committed transaction wrote anything. Never raises: when the transaction itself fails (BEGIN,
    COMMIT, a lost transaction), every op fails with it."""
    try:
        _rollback(conn)  # a transaction left open by an earlier failure must not swallow this batch
        changes = conn.total_changes
        conn.execute("BEGIN IMMEDIATE")
        savepoints = conn.cursor()
        outcomes = [_run_op(conn, savepoints, op) for op in ops]
        conn.execute("COMMIT")
        return outcomes, conn.total_changes != changes
    except DatabaseUnavailable as lost:
        failure = lost
    except BaseException as error:  # the writer must outlive any failure
        failure = DatabaseUnavailable(f"the transaction failed: {error}")
        failure.__cause__ = error
    try:
        _rollback(conn)
    except sqlite3.Error:
        log.exception("rollback after a failed transaction failed too")
    return [(False, failure)] * len(ops), False


def _execute_all(conn: sqlite3.Connection, statements: tuple[str, ...]) -> None:
    for statement in statements:
        conn.execute(statement)


def _probe(conn: sqlite3.Connection) -> None:
    conn.execute("SELECT 1").fetchall()


def _run_read(conn: sqlite3.Connection, op: Op) -> Any:
    """Run in the reader thread: one read transaction, so every statement of `op` sees the same snapshot."""
    conn.execute("BEGIN")
    try:
        return op(conn)
    finally:
        conn.execute("COMMIT")


def _append_lines(path: str) -> TextIO:
    """A line-buffered file to append to (opened once, at start-up; closed by Database.close)."""
    return open(path, "a", buffering=1, encoding="utf-8")


class Database:
    """A group-committing SQLite database. `path=None` keeps everything in memory.

    A file database also gets a reader connection: with WAL, reads (counts, peeks) run beside the writer
    instead of queueing behind it. In memory there is one connection, so reads join the write batches.
    """

    def __init__(
        self, path: str | None, durability: Durability = "fast", trace_sql: str | None = None
    ) -> None:
        self._path = path
        self._trace_path = trace_sql
        self._trace: TextIO | None = None
        self._pragmas = (_SYNCHRONOUS[durability], *_PRAGMAS)
        self._conn: ConnectionThread | None = None
        self._reader: ConnectionThread | None = None
        self._lock: int | None = None
        self._pending: list[tuple[Op, asyncio.Future[Any]]] = []
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self.writer_restarts = 0
        self.commits = CommitStats()
        """How often the writer task ended unexpectedly and was replaced (0 unless something is badly wrong)."""
        self.problem: str | None = None
        """What is wrong with the storage, as the last failure that was the storage's own said; cleared by the
        next commit that writes, unless the file is damaged (that stays until a restart checks it)."""
        self._damaged = False
        self.checked_at_start_s: float | None = None
        """How long the start-up integrity check took, when the last run did not close cleanly."""

    async def open(self) -> None:
        try:
            await self._open()
        except sqlite3.Error as error:
            await self.close()
            raise StorageRefused(
                f"{self._path} cannot be opened as a database ({error}): restore it from a backup"
                " (posthouse backup), or move it aside to start empty"
            ) from None
        except StorageRefused:
            await self.close()
            raise

    async def _open(self) -> None:
        unclean = False
        if self._path is not None:
            self._lock, unclean = lock(self._path)
        self._conn = await ConnectionThread.open(self._path or ":memory:", "posthouse-writer")
        await self._conn.run(_execute_all, self._pragmas)
        if unclean:
            await self._check_integrity(self._conn)
        await self._conn.run(migrate)
        if self._path is not None:
            mark_running(self._path)
            self._reader = await ConnectionThread.open(self._path, "posthouse-reader")
            await self._reader.run(_execute_all, (*self._pragmas, "PRAGMA query_only = ON"))
        if self._trace_path is not None:
            await self._start_trace(self._trace_path)
        self._start_writer()

    async def _check_integrity(self, conn: ConnectionThread) -> None:
        """After an unclean stop (a kill, a crash, a power cut): refuse a damaged file rather than serve
        altered data."""
        started = time.perf_counter()
        problem = await conn.run(quick_check)
        self.checked_at_start_s = time.perf_counter() - started
        log.info("integrity check after an unclean stop: %.2f s", self.checked_at_start_s)
        if problem is not None:
            raise StorageRefused(
                f"{self._path} is damaged ({problem}): restore it from a backup (posthouse backup), or move"
                " it aside to start empty; nothing was served from it"
            )

    async def _start_trace(self, path: str) -> None:
        """Every statement, with its values, one per line, appended to `path` (for diagnosing slow queries)."""
        trace = self._trace = _append_lines(path)

        def write(statement: str) -> None:
            trace.write(" ".join(statement.split()) + "\n")  # one line: one write call from either thread

        for conn in (self._conn, self._reader):
            if conn is not None:
                await conn.run(sqlite3.Connection.set_trace_callback, write)

    async def close(self) -> None:
        if self._writer is not None:
            self._closing = True
            self._wakeup.set()
            await asyncio.wait((self._writer,))
        for conn in (self._reader, self._conn):
            if conn is not None:
                await conn.close()
        self._conn = self._reader = None
        if self._trace is not None:
            self._trace.close()
            self._trace = None
        if self._lock is not None:
            if self._path is not None and self._writer is not None:  # it opened, and closed cleanly now
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self._path + RUNNING_SUFFIX)
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    @property
    def writing(self) -> bool:
        """Whether the writer is there to take operations."""
        return self._writer is not None and not self._writer.done() and not self._closing

    async def probe(self, timeout_s: float) -> str | None:
        """None when a write transaction commits within `timeout_s`; otherwise what is wrong."""
        try:
            await asyncio.wait_for(self.run(_probe), timeout_s)
        except TimeoutError:
            return f"the database writer did not answer within {timeout_s} s"
        except (DatabaseClosed, DatabaseUnavailable) as error:
            return str(error)
        return self.problem

    def run(self, op: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Run `op` in the next group transaction: the future has its result once that transaction is
        committed. (A future, not a coroutine: one frame less per operation on the hot path.)"""
        if not self.writing:
            raise DatabaseClosed("the database is not open")  # never leave a caller waiting forever
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((op, future))
        self._wakeup.set()
        return future

    async def read(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read-only `op` on a committed snapshot, without waiting for the writer."""
        if self._reader is None:
            return await self.run(op)
        try:
            result: T = await self._reader.run(_run_read, op)
        except sqlite3.Error as error:
            self._note(storage_fault(error), wrote=False)
            raise
        return result

    def _note(self, fault: tuple[str, bool] | None, wrote: bool) -> None:
        """Keep what the storage's own failures say, for /health; a later write that commits clears it."""
        if fault is not None:
            if not self._damaged:
                self.problem, self._damaged = fault
                log.error("storage problem: %s", self.problem)
        elif wrote and not self._damaged:
            self.problem = None

    def _start_writer(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="posthouse-writer")
        self._writer.add_done_callback(self._writer_ended)

    def _writer_ended(self, writer: asyncio.Task[None]) -> None:
        """Supervision: a writer that ended before close() has failed its own batch (see `_write_loop`); a
        new one takes over the operations still queued."""
        if self._closing:
            return
        error = None if writer.cancelled() else writer.exception()
        log.error("the database writer stopped (%r); starting a new one", error)
        self.writer_restarts += 1
        self._start_writer()
        self._wakeup.set()

    async def _write_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            if batch:
                try:
                    await self._commit(batch)
                finally:
                    self._fail(batch, DatabaseUnavailable("the database writer stopped"))
            if self._closing and not self._pending:
                return

    async def _commit(self, batch: list[tuple[Op, asyncio.Future[Any]]]) -> None:
        assert self._conn is not None
        started = time.perf_counter()
        outcomes, wrote = await self._conn.run(_run_batch, [op for op, _ in batch])
        self.commits.add(len(batch), time.perf_counter() - started)
        faults = [storage_fault(value) for ok, value in outcomes if not ok]
        self._note(next((fault for fault in faults if fault is not None), None), wrote)
        for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():
                continue  # its caller gave up waiting (cancelled); the work is committed all the same
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    @staticmethod
    def _fail(batch: list[tuple[Op, asyncio.Future[Any]]], error: Exception) -> None:
        """Answer every caller of `batch` still waiting with `error` (none is, after a normal commit)."""
        for _, future in batch:
            if not future.done():
                future.set_exception(error)
