"""The runtime: one object owns the database, the services and the named background workers.

Start-up opens the database, starts each service, then the workers. Services start workers of their own
too, while running (a move task's runner; later SNS deliveries and event-source pollers), on the same
supervisor. A worker that raises is logged and started again after a backoff (0.1 s, doubling to 30 s; reset
after a minute of good running). Shutdown runs in one order: stop the workers (so no in-process poller runs
past the next step), release the long polls (so their clients get answers), stop the services, then close
the database (its writer drains what is queued, and the WAL is checkpointed).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from persistence import state_export
from persistence.database_file import StorageRefused
from persistence.engine import Database
from server.clock import Clock
from server.config import Config
from server.wire import ServiceDescriptor

log = logging.getLogger("posthouse.runtime")

FIRST_BACKOFF_MS = 100
LAST_BACKOFF_MS = 30_000
HEALTHY_AFTER_MS = 60_000


class StartupRefused(RuntimeError):
    """The server cannot start, for a reason one line tells the user."""


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def reset(self) -> None:
        """Forget every resource (the admin reset)."""
        ...

    def release_pollers(self) -> None:
        """Answer whatever requests are parked waiting (the server is stopping)."""
        ...


Work = Callable[[], Awaitable[None]]
"""A worker's body: runs until it is cancelled (or returns, when its work is done)."""


class Workers(Protocol):
    """What a service sees of the supervisor: a way to start a named worker."""

    def start(self, name: str, work: Work) -> None: ...


class Supervisor:
    """Named background workers, each restarted with backoff when it raises."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.restarts: Counter[str] = Counter()

    def start(self, name: str, work: Work) -> None:
        self._tasks[name] = asyncio.create_task(self._keep_running(name, work), name=f"posthouse-{name}")

    def running(self) -> list[str]:
        return sorted(name for name, task in self._tasks.items() if not task.done())

    def cancel(self) -> None:
        """Cancel every worker now; `stop` waits for them."""
        for task in self._tasks.values():
            task.cancel()

    async def stop(self) -> None:
        self.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()

    async def _keep_running(self, name: str, work: Work) -> None:
        backoff_ms = FIRST_BACKOFF_MS
        while True:
            started_ms = self._clock.now_ms()
            try:
                await work()
                if self._tasks.get(name) is asyncio.current_task():
                    del self._tasks[name]  # its work is done: not kept
                return
            except Exception:
                log.exception("worker %s failed; starting it again in %d ms", name, backoff_ms)
            self.restarts[name] += 1
            if self._clock.now_ms() - started_ms >= HEALTHY_AFTER_MS:
                backoff_ms = FIRST_BACKOFF_MS
            never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            await self._clock.wait(never, self._clock.now_ms() + backoff_ms)
            backoff_ms = min(LAST_BACKOFF_MS, backoff_ms * 2)


Api = TypeVar("Api")


@dataclass(frozen=True)
class Platform:
    """What every service is built from."""

    db: Database
    clock: Clock
    config: Config
    supervisor: Supervisor = field(init=False)
    """Where a service starts the workers it needs while running (named, supervised, stopped in order)."""
    _offered: dict[type, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "supervisor", Supervisor(self.clock))

    def offer(self, api: type[Api], implementation: Api) -> None:
        """Publish an in-process API other services call (SQS offers its enqueue), keyed by its type."""
        self._offered[api] = implementation

    def later(self, api: type[Api]) -> Callable[[], Api | None]:
        """An API a service installed later offers (SNS's publishing, for Lambda, which SNS itself needs):
        looked up when called, None if no service offers it."""
        return lambda: self._offered.get(api)

    def needs(self, api: type[Api]) -> Api:
        """An API another service offered; that service must be installed first (SERVICES' order)."""
        if api not in self._offered:
            raise LookupError(f"{api.__name__} is offered by a service that must be installed earlier")
        implementation: Api = self._offered[api]
        return implementation


@dataclass(frozen=True)
class Installed:
    """A service as its package builds it: its descriptor, the running object, its background workers."""

    descriptor: ServiceDescriptor
    service: Service
    workers: dict[str, Work] = field(default_factory=dict)
    issued_accounts: Callable[[str], str | None] | None = None
    """For a service that issues credentials (STS): the account an access key it issued acts as."""


Install = Callable[[Platform], Installed]
"""A service package's `install`: how the app adds it (one line per service in server/app.py)."""


class Runtime:
    def __init__(self, platform: Platform, installs: list[Install]) -> None:
        self.db = platform.db
        self.clock = platform.clock
        self.installed = [install(platform) for install in installs]
        self.supervisor = platform.supervisor
        self._workers = {name: work for entry in self.installed for name, work in entry.workers.items()}
        self._issuers = [entry.issued_accounts for entry in self.installed if entry.issued_accounts]
        self._states = {entry.descriptor.signing_name: "available" for entry in self.installed}

    def service(self, name: str) -> Service:
        return next(entry.service for entry in self.installed if entry.descriptor.name == name)

    def issued_account(self, access_key: str) -> str | None:
        """The account an access key acts as, when some service issued it (STS's temporary credentials)."""
        for issuer in self._issuers:  # asked on every request: only the services that issue keys
            if account := issuer(access_key):
                return account
        return None

    @property
    def descriptors(self) -> list[ServiceDescriptor]:
        return [entry.descriptor for entry in self.installed]

    async def start(self) -> None:
        try:
            await self.db.open()
        except StorageRefused as refused:
            raise StartupRefused(str(refused)) from None
        for entry in self.installed:
            self._states[entry.descriptor.signing_name] = "starting"
            await entry.service.start()
            self._states[entry.descriptor.signing_name] = "running"
        for name, work in self._workers.items():
            self.supervisor.start(name, work)

    def begin_stopping(self) -> None:
        """Told to stop (SIGTERM): cancel the workers, then answer the parked long polls, at once, so the
        server's graceful shutdown is not held up by 20-second polls."""
        self.supervisor.cancel()
        for entry in self.installed:
            self._states[entry.descriptor.signing_name] = "stopping"
            entry.service.release_pollers()

    async def stop(self) -> None:
        self.begin_stopping()
        await self.supervisor.stop()
        for entry in reversed(self.installed):
            await entry.service.stop()
        await self.db.close()

    async def reset(self) -> None:
        for entry in self.installed:
            await entry.service.reset()

    async def export_state(self) -> dict[str, Any]:
        """Everything, as one JSON-able document (see persistence.state_export)."""
        return await self.db.read(state_export.dump)

    async def import_state(self, document: Any) -> int:
        """Replace everything with what `document` holds (ImportRefused, changing nothing, if it cannot be
        taken); how many rows came in. The services forget what they hold, then load it as at a start."""
        await self.db.run(lambda conn: state_export.check(conn, document))
        for entry in self.installed:
            await entry.service.reset()
        count = await self.db.run(lambda conn: state_export.load(conn, document))
        for entry in self.installed:
            await entry.service.start()
        return count

    def service_states(self) -> dict[str, str]:
        """Per service, as LocalStack's health route words it: `available` (installed, not started yet),
        `starting`, `running`, `stopping`."""
        return dict(self._states)
