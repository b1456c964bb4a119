"""A SQLite connection that lives on a thread of its own.

Work is handed to the thread one call at a time, and the event loop gets each result as a future. A call is a
whole function of the connection (a group commit's batch, a read), not a statement: one thread round trip for
the lot. (aiosqlite hands over one statement at a time in public; running a function there took its private
API, so the engine owns its threads instead.)
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_Call = tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]


class ThreadStopped(RuntimeError):
    """The connection's thread is not running (never opened, or closed)."""


class ConnectionThread:
    def __init__(self, path: str, name: str) -> None:
        self._path = path
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    async def open(cls, path: str, name: str) -> ConnectionThread:
        """Start the thread and open the connection there; raises what `sqlite3.connect` raised."""
        opened = cls(path, name)
        opened._loop = asyncio.get_running_loop()
        connected: asyncio.Future[None] = opened._loop.create_future()
        opened._calls.put((_nothing, (), connected))  # queued first: answered even if connecting fails
        opened._thread.start()
        await connected
        return opened

    def run(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """`fn(connection, *args)` on the thread; the future gets its result or its exception."""
        if self._loop is None or not self._thread.is_alive():
            raise ThreadStopped(f"the thread of {self._path} is not running")
        future: asyncio.Future[T] = self._loop.create_future()
        self._calls.put((fn, args, future))
        return future

    async def close(self) -> None:
        """Finish the calls handed over so far, close the connection, end the thread."""
        if self._thread.is_alive():
            self._calls.put(None)
            await asyncio.to_thread(self._thread.join)

    def _serve(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None)
        except sqlite3.Error as error:
            self._refuse_all(error)
            return
        try:
            while (call := self._calls.get()) is not None:
                fn, args, future = call
                try:
                    result = fn(conn, *args)
                except BaseException as error:  # the thread must outlive whatever a call raises
                    self._settle(future, None, deliverable(error, RuntimeError))
                else:
                    self._settle(future, result, None)
        finally:
            conn.close()

    def _refuse_all(self, error: Exception) -> None:
        """The connection never opened: every call already handed over fails with the reason."""
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            if call is not None:
                self._settle(call[2], None, error)

    def _settle(self, future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_complete, future, result, error)


def _nothing(conn: sqlite3.Connection) -> None:
    return None


def _complete(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return  # its caller stopped waiting (cancelled)
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def deliverable(error: BaseException, wrapper: type[Exception]) -> Exception:
    """`error` if a future can carry it; else (StopIteration, a BaseException that is not an Exception) it
    wrapped in `wrapper`, with `error` as the cause."""
    if isinstance(error, Exception) and not isinstance(error, StopIteration | StopAsyncIteration):
        return error
    wrapped = wrapper(f"operation raised {error!r}")
    wrapped.__cause__ = error
    return wrapped
