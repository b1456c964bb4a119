"""Warm worker processes for functions run by Posthouse (Python, Node.js): a pool per function (per deployed
code), one invocation at a time per worker, a new worker whenever every one is busy, and a worker killed when
its invocation runs past the function's Timeout (the invocation fails as on AWS: `Task timed out after N
seconds`). A worker is a runtime's bootstrap script speaking one JSON object per line on stdin and stdout.

All pools share one `WorkerBudget`: a cap on worker processes across every function (at the cap the least
recently used idle worker of any function makes room; with none idle, an invocation waits, or a direct one is
throttled), and idle workers are stopped after a while, as AWS recycles idle environments. A pool replaced by
new code or configuration is retired: its idle workers stop at once, its busy ones finish first."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import secrets
import signal
from collections.abc import Callable, Mapping, Sequence
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


class NoWorker(Exception):
    """Every worker process the budget allows is busy (a direct invocation does not wait)."""


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process, pool: WorkerPool) -> None:
        self.process = process
        self.pool = pool
        self.idle_since_ms = 0

    async def run(self, request: dict[str, Any], timeout_s: float) -> Outcome:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(request_line(request))
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout_s)
        if not line:
            raise ConnectionError("the worker exited")
        answer = orjson.loads(line)
        result = answer.get("result")
        if "bytes" in answer:  # a handler that returned bytes: they are the response as they are
            return Outcome(base64.b64decode(answer["bytes"]), answer.get("error"), answer.get("log", ""))
        return Outcome(
            None if result is None else result.encode(), answer.get("error"), answer.get("log", "")
        )

    def kill(self) -> None:
        """The worker and whatever its handler started: they share the worker's own process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


_LINE_BREAKS = bytes.maketrans(b"\r\n", b"  ")


def request_line(request: dict[str, Any]) -> bytes:
    """One line of the worker protocol: the request as JSON, its `event` (JSON bytes) put in as it is rather
    than encoded a second time as a string. A line break in valid JSON can only be whitespace between
    tokens (inside strings it is escaped), so it becomes a space."""
    event: bytes = request["event"]
    head = orjson.dumps({k: v for k, v in request.items() if k != "event"})
    return head[:-1] + b',"event":' + event.translate(_LINE_BREAKS) + b"}\n"


def timed_out(timeout_s: float) -> Outcome:
    message = f"Task timed out after {timeout_s:.2f} seconds"
    return Outcome(None, {"errorMessage": message, "errorType": "Sandbox.Timedout"}, message + "\n")


class WorkerBudget:
    """Worker processes across every pool: at most `max_workers`; idle ones stopped after `idle_ms`."""

    def __init__(self, max_workers: int, idle_ms: int, now_ms: Callable[[], int]) -> None:
        self.max_workers = max_workers
        self.idle_ms = idle_ms
        self.now_ms = now_ms
        self._alive: set[_Worker] = set()
        self._idle: dict[_Worker, None] = {}
        """Idle workers, least recently used first."""
        self._starting = 0
        self._changed = asyncio.Event()

    @property
    def alive(self) -> int:
        return len(self._alive)

    async def room(self, wait: bool) -> None:
        """Room for one more worker (held until `started` or `not_started`): free at once, by stopping the least
        recently used idle worker, or (`wait`) once a worker ends; NoWorker when it cannot wait."""
        while len(self._alive) + self._starting >= self.max_workers:
            if self._idle:
                oldest = next(iter(self._idle))
                oldest.pool.stop(oldest)
                continue
            if not wait:
                raise NoWorker()
            self._changed.clear()
            await self._changed.wait()
        self._starting += 1

    def started(self, worker: _Worker) -> None:
        self._starting -= 1
        self._alive.add(worker)

    def not_started(self) -> None:
        self._starting -= 1
        self._changed.set()

    def idle(self, worker: _Worker) -> None:
        worker.idle_since_ms = self.now_ms()
        self._idle[worker] = None
        self._changed.set()

    def busy(self, worker: _Worker) -> None:
        self._idle.pop(worker, None)

    def ended(self, worker: _Worker) -> None:
        self._alive.discard(worker)
        self._idle.pop(worker, None)
        self._changed.set()

    def reap(self) -> int:
        """Stop the workers idle longer than `idle_ms`; returns how many."""
        limit_ms = self.now_ms() - self.idle_ms
        stale = [worker for worker in self._idle if worker.idle_since_ms <= limit_ms]
        for worker in stale:
            worker.pool.stop(worker)
        return len(stale)


class WorkerPool:
    """The workers of one function's code: `command` started in its directory with its environment."""

    def __init__(
        self, command: Sequence[str], code_dir: Path, environment: Mapping[str, str], budget: WorkerBudget
    ) -> None:
        self._command = list(command)
        self.code_dir = code_dir
        self._environment = dict(environment)
        self._budget = budget
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._retired = False
        self.instance = secrets.token_hex(16)
        """This pool's id: its invocations' log stream is named after it."""

    @property
    def busy(self) -> int:
        return len(self._all) - len(self._idle)

    async def invoke(self, request: dict[str, Any], timeout_s: float, wait: bool = True) -> Outcome:
        worker = self._idle.pop() if self._idle else await self._start(wait)
        self._budget.busy(worker)
        try:
            outcome = await worker.run(request, timeout_s)
        except TimeoutError:
            self.stop(worker)
            return timed_out(timeout_s)
        except (ConnectionError, OSError, ValueError) as error:
            self.stop(worker)
            return Outcome(
                None, {"errorMessage": f"Runtime exited: {error}", "errorType": "Runtime.ExitError"}, ""
            )
        if self._retired:
            self.stop(worker)  # its code or configuration was replaced while it ran: done now
        else:
            self._idle.append(worker)
            self._budget.idle(worker)
        return outcome

    async def _start(self, wait: bool) -> _Worker:
        await self._budget.room(wait)
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                cwd=self.code_dir,
                env=self._environment,
                limit=READ_LIMIT,
                start_new_session=True,  # its own session and process group: no terminal, killed as a group
                close_fds=True,  # nothing of the server's open files (its database) is inherited
            )
        except BaseException:
            self._budget.not_started()
            raise
        worker = _Worker(process, self)
        self._all.add(worker)
        self._budget.started(worker)
        return worker

    def stop(self, worker: _Worker) -> None:
        """Kill one worker (and its process group); it is reaped by its transport."""
        worker.kill()
        self._all.discard(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        self._budget.ended(worker)

    def retire(self) -> None:
        """Replaced by new code or configuration: idle workers stop now, busy ones once their invocation ends."""
        self._retired = True
        for worker in list(self._idle):
            self.stop(worker)

    async def close(self) -> None:
        for worker in list(self._all):
            self.stop(worker)
            await worker.process.wait()
        self._idle.clear()


def base_environment() -> dict[str, str]:
    """What a worker inherits from Posthouse's own environment: only the basics."""
    return {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
