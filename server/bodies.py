"""Request bodies held in memory: per route a size limit, and for the whole server a budget.

A body is buffered whole before its operation runs, so slow or stalled uploads would each pin up to their
route's limit. The budget caps what all of them hold together: a body that does not fit is refused (503, in
the caller's protocol) and what it held is given back at once. A refused body is still read to its end,
without being kept, so the client sees the answer instead of a reset connection; past `drain_cap` bytes the
connection is closed instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


TRIM_AFTER_BYTES = 32 * 1024 * 1024
TRIM_DELAY_S = 3.0
"""After the refused connections' lingering close (2 s, see limits.py) has let their buffers go too."""


def _give_memory_back() -> None:
    """Ask the C allocator to return freed heap pages to the system (glibc keeps them otherwise: bodies that
    arrived in many small pieces leave the heap fragmented)."""
    import ctypes  # only here: once a lot of body memory was let go
    import ctypes.util

    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


class BodyBudget:
    """Bytes of request bodies the server holds at once, across every connection."""

    def __init__(self, total_bytes: int) -> None:
        self.total_bytes = total_bytes
        self.held_bytes = 0
        self._freed_bytes = 0
        self._trim: asyncio.TimerHandle | None = None

    def take(self, size: int) -> bool:
        if self.held_bytes + size > self.total_bytes:
            return False
        self.held_bytes += size
        return True

    def give_back(self, size: int) -> None:
        self.held_bytes -= size
        self._freed_bytes += size
        if self._freed_bytes >= TRIM_AFTER_BYTES and self._trim is None:
            # A little later: the connections that sent those bodies free their own buffers as they close.
            self._trim = asyncio.get_running_loop().call_later(TRIM_DELAY_S, self._trimmed)

    def _trimmed(self) -> None:
        self._trim, self._freed_bytes = None, 0
        _give_memory_back()


class Refused(Enum):
    TOO_LARGE = "too large"
    OVER_BUDGET = "over budget"
    GONE = "client gone"


@dataclass(slots=True)
class Body:
    data: bytes
    held: int
    """What it holds of the budget, to give back once the request is answered."""
    refused: Refused | None = None
    ended: bool = True
    """Whether the whole body was read (False: the connection should close)."""


def _declared_length(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


async def read_body(
    receive: Receive, content_length: str | None, limit: int, budget: BodyBudget, drain_cap: int
) -> Body:
    """The whole body, or why it is refused. A declared length is checked, and taken from the budget,
    before any byte is read; a body sent in chunks is counted as it arrives."""
    declared = _declared_length(content_length)
    if declared is not None and declared > limit:
        return await _drain(receive, Refused.TOO_LARGE, 0, drain_cap)
    held = 0
    if declared is not None:
        if not budget.take(declared):
            return await _drain(receive, Refused.OVER_BUDGET, 0, drain_cap)
        held = declared
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            budget.give_back(held)
            return Body(b"", 0, Refused.GONE, ended=False)
        chunk = message.get("body", b"")
        size += len(chunk)
        more = message.get("more_body", False)
        refused = None
        if size > limit:
            refused = Refused.TOO_LARGE
        elif size > held:  # chunked, or longer than declared: take what arrived
            if budget.take(size - held):
                held = size
            else:
                refused = Refused.OVER_BUDGET
        if refused is not None:
            chunks.clear()
            budget.give_back(held)
            return await _drain(receive, refused, size, drain_cap) if more else Body(b"", 0, refused)
        chunks.append(chunk)
        if not more:
            return Body(chunks[0] if len(chunks) == 1 else b"".join(chunks), held)


async def _drain(receive: Receive, refused: Refused, seen: int, cap: int) -> Body:
    """Read and drop the rest of a refused body, up to `cap` bytes in all."""
    while seen <= cap:
        message = await receive()
        if message["type"] == "http.disconnect":
            return Body(b"", 0, Refused.GONE, ended=False)
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return Body(b"", 0, refused)
    return Body(b"", 0, refused, ended=False)
