"""Warm worker processes for functions run by Posthouse (Python, Node.js): a pool per function (per deployed
code), one invocation at a time per worker, a new worker whenever every one is busy, and a worker killed when
its invocation runs past the function's Timeout (the invocation fails as on AWS: `Task timed out after N
seconds`). A worker is a runtime's bootstrap script speaking one JSON object per line on stdin and stdout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

READ_LIMIT = 16 * 1024 * 1024
"""A line of the worker's protocol holds at most a 6 MB result, JSON-escaped."""


@dataclass(frozen=True)
class Outcome:
    result: bytes | None
    """The handler's return value as JSON, when it returned."""
    error: dict[str, Any] | None
    """errorMessage, errorType, stackTrace: when it raised, timed out or could not start."""
    log: str


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def run(self, request: dict[str, Any], timeout_s: float) -> Outcome:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(orjson.dumps(request) + b"\n")
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout_s)
        if not line:
            raise ConnectionError("the worker exited")
        answer = orjson.loads(line)
        result = answer.get("result")
        return Outcome(
            None if result is None else result.encode(), answer.get("error"), answer.get("log", "")
        )

    def kill(self) -> None:
        """The worker and whatever its handler started: they share the worker's own process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


def timed_out(timeout_s: float) -> Outcome:
    message = f"Task timed out after {timeout_s:.2f} seconds"
    return Outcome(None, {"errorMessage": message, "errorType": "Sandbox.Timedout"}, message + "\n")


class WorkerPool:
    """The workers of one function's code: `command` started in its directory with its environment."""

    def __init__(self, command: Sequence[str], code_dir: Path, environment: Mapping[str, str]) -> None:
        self._command = list(command)
        self._code_dir = code_dir
        self._environment = dict(environment)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()

    async def invoke(self, request: dict[str, Any], timeout_s: float) -> Outcome:
        worker = self._idle.pop() if self._idle else await self._start()
        try:
            outcome = await worker.run(request, timeout_s)
        except TimeoutError:
            self._retire(worker)
            return timed_out(timeout_s)
        except (ConnectionError, OSError, ValueError) as error:
            self._retire(worker)
            return Outcome(
                None, {"errorMessage": f"Runtime exited: {error}", "errorType": "Runtime.ExitError"}, ""
            )
        self._idle.append(worker)
        return outcome

    async def _start(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            *self._command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=self._code_dir,
            env=self._environment,
            limit=READ_LIMIT,
            start_new_session=True,  # its own session and process group: no terminal, killed as a group
            close_fds=True,  # nothing of the server's open files (its database) is inherited
        )
        worker = _Worker(process)
        self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)

    async def close(self) -> None:
        for worker in list(self._all):
            self._retire(worker)
            await worker.process.wait()
        self._idle.clear()


def base_environment() -> dict[str, str]:
    """What a worker inherits from Posthouse's own environment: only the basics."""
    return {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
