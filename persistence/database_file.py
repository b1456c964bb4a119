"""The database file itself: the lock that keeps a second server out, the marker that tells an unclean stop,
SQLite's quick check, and what a storage error says of the file (damaged for good, or full for now)."""

from __future__ import annotations

import fcntl
import os
import sqlite3


class StorageRefused(RuntimeError):
    """The database cannot be opened; the message is one line saying what is wrong and what to do."""


class DatabaseInUse(StorageRefused):
    """Another process has this database open: two writers would only wait on each other's locks."""


RUNNING_SUFFIX = ".running"
"""Beside the database while a server has it open: found at start-up, the last one did not close cleanly."""
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_STORAGE_FAULTS = (
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN,
)


def storage_fault(error: BaseException | None) -> tuple[str, bool] | None:
    """What a failure says of the storage itself, and whether it stays (a damaged file) or may pass (a full
    disk); None for a failure of the operation alone."""
    while error is not None:
        if isinstance(error, sqlite3.Error):
            code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
            if code in _DAMAGED:
                return f"the database file is damaged ({error})", True
            if code in _STORAGE_FAULTS:
                return f"the database cannot be written ({error})", False
        error = error.__cause__
    return None


def mark_running(path: str) -> None:
    with open(path + RUNNING_SUFFIX, "w", encoding="utf-8") as marker:
        marker.write(f"{os.getpid()}\n")


def lock(path: str) -> tuple[int, bool]:
    """Create the database's folder and lock the database file itself (once, at start-up): no second
    process can open it as long as this one runs, whatever happens to files beside it. Also says whether
    the last process to have it open stopped without closing it."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StorageRefused(
            f"cannot open {path} ({error.strerror}): give this user read and write access to {folder},"
            " or choose another --data-dir"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise DatabaseInUse(
            f"{path} is in use by another Posthouse process: stop it, or give this one another --data-dir"
        ) from None
    return handle, os.path.exists(path + RUNNING_SUFFIX)


def quick_check(conn: sqlite3.Connection) -> str | None:
    """SQLite's quick_check (structure and indexes, in one pass): None when the file is sound."""
    rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    return None if rows == ["ok"] else " ".join("; ".join(rows[:3]).split())
