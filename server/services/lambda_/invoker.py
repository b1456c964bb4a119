"""Running functions: each function's deployed code is unpacked once into the runtime directory, and its
worker pool (Python or Node.js) is kept warm between invocations (a new code or configuration gets new
workers). A function served by the user (`POSTHOUSE_FUNCTION_URL`) is called over HTTP instead."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from persistence.records import FunctionRecord
from server.clock import Clock
from server.services import outbound
from server.services.children import DIES_WITH_SERVER
from server.services.lambda_ import interpreters, packages
from server.services.lambda_.activity import Activity
from server.services.lambda_.errors import MAX_RESPONSE_BYTES
from server.services.lambda_.functions import Functions
from server.services.lambda_.log_lines import invocation_log, stream_name
from server.services.lambda_.served import ServedFunction, served_url
from server.services.lambda_.versions import unqualified
from server.services.lambda_.workers import NoWorker, Outcome, WorkerBudget, WorkerPool, base_environment
from server.services.log_writing import LogWriting

if TYPE_CHECKING:  # httpx itself is imported when a served function is first called
    import httpx

_HERE = Path(__file__).parent


class Throttled(Exception):
    """The function runs as many invocations as its reserved concurrency allows."""


class Runner(Protocol):
    """What runs a function's invocations: its warm workers, or the user's server."""

    async def invoke(self, request: dict[str, Any], timeout_s: float, wait: bool = True) -> Outcome:
        """`wait`: for a worker when the server runs as many as it may (else NoWorker)."""
        ...

    async def close(self) -> None: ...

    @property
    def instance(self) -> str:
        """Its execution environment's id (the log stream's name ends with it)."""
        ...


def pool_key(function: FunctionRecord) -> str:
    """Which warm pool runs a function: one per version, whichever ARN (alias, version) named it."""
    return f"{unqualified(function.arn)}:{function.configuration.get('Version', '$LATEST')}"


def worker_command(runtime: str) -> list[str] | None:
    """How a worker of the runtime starts here, when this machine has what it needs."""
    if runtime.startswith("python3"):
        return [*DIES_WITH_SERVER, sys.executable, str(_HERE / "python_bootstrap.py")]
    node = shutil.which("node") if runtime.startswith("nodejs") else None
    return None if node is None else [*DIES_WITH_SERVER, node, str(_HERE / "node_bootstrap.js")]


def _unavailable(runtime: str) -> Outcome:
    needs = " (node is not installed)" if runtime.startswith("nodejs") else ""
    return Outcome(
        None,
        {
            "errorMessage": f"Posthouse cannot run {runtime} functions here{needs}: it runs python3.x and"
            " nodejs functions, and any function served at the URL its POSTHOUSE_FUNCTION_URL variable names",
            "errorType": "Runtime.Unavailable",
        },
        "",
    )


def _within_limits(outcome: Outcome) -> Outcome:
    """A result past AWS's response limit is the function error AWS reports instead."""
    if outcome.result is None or len(outcome.result) <= MAX_RESPONSE_BYTES:
        return outcome
    error = {
        "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    return Outcome(None, error, outcome.log)


def _digest(function: FunctionRecord) -> str:
    """The folder name of a function's unpacked code: its CodeSha256, made safe for a file name."""
    return str(function.configuration["CodeSha256"]).replace("/", "_").replace("+", "-").rstrip("=")


class Invoker:
    def __init__(
        self,
        functions: Functions,
        clock: Clock,
        activity: Activity,
        runtime_dir: Path | None,
        budget: WorkerBudget,
        endpoint_url: str,
        logs: LogWriting | None = None,
    ) -> None:
        self._functions = functions
        self._clock = clock
        self._activity = activity
        self._scratch = None  # in memory: the code is unpacked into a directory removed at the end
        if runtime_dir is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="posthouse-lambda-")
            runtime_dir = Path(self._scratch.name)
        self._root = runtime_dir
        self.budget = budget
        self._logs = logs
        self._retired: list[WorkerPool] = []
        """Pools replaced while their workers ran: their code stays until the last one ends."""
        self._starting = asyncio.Lock()
        """One pool started at a time: concurrent first invocations share it, and unpack the code once."""
        self._endpoint_url = endpoint_url
        self._pools: dict[str, tuple[str, Runner]] = {}
        """`<function ARN>:<version>` (an alias shares its version's) -> (RevisionId the runner was started
        for, the runner)."""
        self._http: httpx.AsyncClient | None = None
        self._running: Counter[str] = Counter()
        """Unqualified function ARN -> invocations running: reserved concurrency counts all its versions."""
        self._freed = asyncio.Condition()

    def reserved(self, function: FunctionRecord) -> int | None:
        value = self._functions.latest_of(function).configuration.get("ReservedConcurrentExecutions")
        return None if value is None else int(value)

    def running(self) -> dict[str, int]:
        """Invocations running now, by unqualified function ARN."""
        return {arn: count for arn, count in self._running.items() if count}

    def at_limit(self, function: FunctionRecord) -> bool:
        """Whether as many invocations run as the function's reserved concurrency allows."""
        limit = self.reserved(function)
        return limit is not None and self._running[unqualified(function.arn)] >= limit

    async def invoke(
        self,
        function: FunctionRecord,
        event: bytes,
        request_id: str,
        wait: bool = False,
        source: str = "Invoke",
        wait_until_ms: int | None = None,
        client_context: str | None = None,
    ) -> Outcome:
        """Run the function. At its reserved concurrency, `wait` waits for a running invocation to end (an
        event-source mapping's poller, an Event invocation), until `wait_until_ms` if given; a direct invoke,
        or a wait past that time, is refused (Throttled). `source` says who asked, in the invocation log."""
        try:
            return await self._invoke(
                function, event, request_id, wait, source, wait_until_ms, client_context
            )
        except Throttled:
            self._activity.of_function(unqualified(function.arn)).throttles += 1
            raise

    async def _invoke(
        self,
        function: FunctionRecord,
        event: bytes,
        request_id: str,
        wait: bool,
        source: str,
        wait_until_ms: int | None,
        client_context: str | None,
    ) -> Outcome:
        async with self._freed:
            while self.at_limit(function):
                if not wait:
                    raise Throttled()
                if wait_until_ms is None:
                    await self._freed.wait()
                else:
                    left_s = (wait_until_ms - self._clock.now_ms()) / 1000
                    try:
                        await asyncio.wait_for(self._freed.wait(), max(0.0, left_s))
                    except TimeoutError:
                        raise Throttled() from None
                function = self._functions.get(function.arn) or function  # its limit may have changed
            self._running[unqualified(function.arn)] += 1
        started_ms = self._clock.now_ms()
        try:
            try:
                outcome = _within_limits(await self._run(function, event, request_id, wait, client_context))
            except NoWorker:
                raise Throttled() from None
            self._write_log(function, request_id, outcome, self._clock.now_ms() - started_ms)
            self._activity.invoked(
                unqualified(function.arn),
                {
                    "request_id": request_id,
                    "source": source,
                    "started_ms": started_ms,
                    "duration_ms": self._clock.now_ms() - started_ms,
                    "error_type": outcome.error.get("errorType") if outcome.error else None,
                    "log": outcome.log[-1024:],
                },
            )
            return outcome
        finally:
            async with self._freed:
                self._running[unqualified(function.arn)] -= 1
                self._freed.notify_all()

    def _write_log(
        self, function: FunctionRecord, request_id: str, outcome: Outcome, duration_ms: int
    ) -> None:
        """The invocation's log into CloudWatch Logs (`/aws/lambda/<name>`, a stream per worker pool)."""
        if self._logs is None:
            return
        configuration = function.configuration
        version = str(configuration.get("Version", "$LATEST"))
        current = self._pools.get(pool_key(function))
        instance = current[1].instance if current is not None else "0" * 32
        memory = int(configuration.get("MemorySize", 128))
        text = invocation_log(outcome.log, request_id, version, duration_ms, memory)
        now_ms = self._clock.now_ms()
        stream = stream_name(now_ms, version, instance)
        lines = [(now_ms, line) for line in text.splitlines() if line]
        self._logs.append(function.account, function.region, f"/aws/lambda/{function.name}", stream, lines)

    async def until_free(self, function: FunctionRecord) -> None:
        """Return once the function has a free slot of its reserved concurrency."""
        async with self._freed:
            while self.at_limit(function):
                await self._freed.wait()
                function = self._functions.get(function.arn) or function

    async def limits_changed(self) -> None:
        """A reserved concurrency changed: waiting invocations look again."""
        async with self._freed:
            self._freed.notify_all()

    async def _run(
        self, function: FunctionRecord, event: bytes, request_id: str, wait: bool, client_context: str | None
    ) -> Outcome:
        configuration = function.configuration
        runtime = str(configuration.get("Runtime", ""))
        served = served_url(configuration)
        command = worker_command(runtime)
        if served is None and command is None:
            return _unavailable(runtime)
        runner = await self._runner(function, served, command)
        timeout_s = float(configuration.get("Timeout", 3))
        request = {
            "event": event,  # JSON bytes: put into the worker's line as they are (encoded once)
            "request_id": request_id,
            "invoked_function_arn": function.arn,
            "timeout_s": timeout_s,
            "client_context": client_context,
        }
        return await runner.invoke(request, timeout_s, wait)

    async def _runner(
        self, function: FunctionRecord, served: str | None, command: list[str] | None
    ) -> Runner:
        revision = str(function.configuration["RevisionId"])
        key = pool_key(function)
        current = self._pools.get(key)
        if current is not None and current[0] == revision:
            return current[1]
        async with self._starting:
            current = self._pools.get(key)  # another invocation may have started it meanwhile
            if current is not None and current[0] == revision:
                return current[1]
            if current is not None:
                self._retire(current[1])
            runner: Runner
            if served is not None:
                runner = ServedFunction(served, self._http_client())
            else:
                assert command is not None
                code_dir = await self._unpacked(function)
                environment = self._environment(function, code_dir)
                runtime = str(function.configuration.get("Runtime", ""))
                if runtime.startswith("python3"):
                    command = await self._python_command(runtime, command, environment)
                runner = WorkerPool(command, code_dir, environment, self.budget)
            self._pools[key] = (revision, runner)
            return runner

    @staticmethod
    async def _python_command(runtime: str, command: list[str], environment: dict[str, str]) -> list[str]:
        """`command` with the interpreter the runtime names, when this machine has it; a function on another
        Python than the server's finds the server's pure-Python packages (boto3) after its own."""
        python = await asyncio.to_thread(interpreters.python_for, runtime)
        if python != sys.executable:
            environment["POSTHOUSE_FALLBACK_PATHS"] = os.pathsep.join(interpreters.server_packages())
        return [python if part == sys.executable else part for part in command]

    def _http_client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = outbound.client()
        return self._http

    async def _unpacked(self, function: FunctionRecord) -> Path:
        code_dir = self._root / _digest(function)
        if not code_dir.exists():
            package = await self._functions.code(function)
            await asyncio.to_thread(packages.unpack, package, code_dir)
        return code_dir

    async def prune_code(self) -> None:
        """Remove unpacked code no function or version names and no worker runs (at start, after a delete
        or a code update)."""
        keep = {_digest(f) for latest in self._functions.all() for f in self._functions.every_version(latest)}
        keep |= self._code_in_use()
        await asyncio.to_thread(packages.prune, self._root, keep)

    def _environment(self, function: FunctionRecord, code_dir: Path) -> dict[str, str]:
        configuration: dict[str, Any] = function.configuration
        own = (configuration.get("Environment") or {}).get("Variables") or {}
        region = function.region
        version = str(configuration.get("Version", "$LATEST"))
        return {
            **base_environment(),
            **own,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration.get("MemorySize", 128)),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"posthouse/[{version}]/{function.name}",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{configuration.get('Runtime')}",
            "AWS_ENDPOINT_URL": self._endpoint_url,
            "AWS_ACCESS_KEY_ID": own.get("AWS_ACCESS_KEY_ID", "test"),
            "AWS_SECRET_ACCESS_KEY": own.get("AWS_SECRET_ACCESS_KEY", "test"),
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(code_dir),
            "_HANDLER": str(configuration.get("Handler", "")),
            "TZ": ":UTC",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def _retire(self, runner: Runner) -> None:
        """Replaced (new code or configuration) or deleted: running invocations finish on it, as on AWS."""
        if isinstance(runner, WorkerPool):
            runner.retire()
            self._retired = [pool for pool in self._retired if pool.busy] + ([runner] if runner.busy else [])

    def _code_in_use(self) -> set[str]:
        pools = [runner for _, runner in self._pools.values() if isinstance(runner, WorkerPool)]
        return {pool.code_dir.name for pool in pools + self._retired if pool is not None}

    async def forget(self, function_arn: str, version: str = "$LATEST") -> None:
        current = self._pools.pop(f"{function_arn}:{version}", None)
        if current is not None:
            self._retire(current[1])
        await self.prune_code()

    async def forget_function(self, function_arn: str) -> None:
        """Every runner of the function: `$LATEST`'s and its versions'."""
        for key in [k for k in self._pools if unqualified(k) == function_arn]:
            await self.forget(function_arn, key.rsplit(":", 1)[1])

    async def close(self) -> None:
        for runner in [runner for _, runner in self._pools.values()] + list(self._retired):
            await runner.close()
        self._pools.clear()
        self._retired.clear()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._scratch is not None:
            self._scratch.cleanup()
