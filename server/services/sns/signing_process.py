"""The server's side of the signing helper (server.services.sns.signing_helper): started when the first batch
worth handing over comes, answered in order, and replaced after a failure once a pause has passed. Until it
answers, and whenever it cannot, the caller signs on the loop itself, so a publish never waits for it to start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

from server.services.children import DIES_WITH_SERVER
from server.services.sns.signing_helper import LENGTH, documents_frame, frame

log = logging.getLogger("posthouse.sns")

_HELPER = str(Path(__file__).with_name("signing_helper.py"))
RESTART_PAUSE_MS = 5_000


class SigningProcess:
    def __init__(self, key_pem: Callable[[], bytes], now_ms: Callable[[], int]) -> None:
        self._key_pem = key_pem
        self._now_ms = now_ms
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._waiting: deque[asyncio.Future[list[str] | None]] = deque()
        self._paused_until = 0

    async def sign(self, version: str, documents: list[bytes]) -> list[str] | None:
        """The documents' signatures, or None when the helper cannot make them now (sign them yourself)."""
        process = self._process
        if process is None or process.stdin is None:
            self._start_soon()
            return None
        answer: asyncio.Future[list[str] | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(answer)
        process.stdin.write(documents_frame(version, documents))
        signatures = await answer
        return signatures if signatures is not None and len(signatures) == len(documents) else None

    def _start_soon(self) -> None:
        if self._starting is None and self._now_ms() >= self._paused_until:
            self._starting = asyncio.create_task(self._start())

    async def _start(self) -> None:
        try:
            process = await asyncio.create_subprocess_exec(
                *DIES_WITH_SERVER,
                sys.executable,
                _HELPER,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C goes to the server, which closes it
            )
            assert process.stdin is not None
            process.stdin.write(frame(self._key_pem()))
            self._process = process
            self._reader = asyncio.create_task(self._read(process))
        except OSError as error:
            log.warning("the signing helper did not start (%s); signing on the event loop", error)
            self._paused_until = self._now_ms() + RESTART_PAUSE_MS
        finally:
            self._starting = None

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while True:
                (length,) = LENGTH.unpack(await process.stdout.readexactly(LENGTH.size))
                body = await process.stdout.readexactly(length)
                answer = self._waiting.popleft()
                if not answer.done():  # its publish may have been cancelled
                    answer.set_result(body.decode().split("\n"))
        except (asyncio.IncompleteReadError, IndexError, ValueError):
            log.warning("the signing helper stopped; signing on the event loop for %d ms", RESTART_PAUSE_MS)
            self._paused_until = self._now_ms() + RESTART_PAUSE_MS
            self._forget(process)

    def _forget(self, process: asyncio.subprocess.Process) -> None:
        if self._process is process:
            self._process = None
        while self._waiting:
            answer = self._waiting.popleft()
            if not answer.done():
                answer.set_result(None)
        if process.returncode is None:
            process.kill()

    async def close(self) -> None:
        process, reader = self._process, self._reader
        if reader is not None:
            reader.cancel()
        if process is None:
            return
        self._forget(process)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 2)
