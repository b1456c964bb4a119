"""The runtime supervises its workers: one that raises is started again after a backoff; health names every
service and worker."""

from __future__ import annotations

import asyncio

from server.clock import ControllableClock
from server.runtime import FIRST_BACKOFF_MS, Supervisor
from tests.harness import ServerProcess


async def test_a_worker_that_raises_is_started_again_after_its_backoff() -> None:
    clock = ControllableClock()
    supervisor = Supervisor(clock)
    runs: list[int] = []
    forever: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def flaky() -> None:
        runs.append(clock.now_ms())
        if len(runs) < 3:
            raise RuntimeError("a bug in a worker")
        await forever  # the third run keeps going

    supervisor.start("flaky", flaky)
    await asyncio.sleep(0)
    assert (len(runs), supervisor.restarts["flaky"]) == (1, 1)  # failed once, waiting out its backoff
    clock.advance(FIRST_BACKOFF_MS / 1000)
    await asyncio.sleep(0.01)
    assert len(runs) == 2  # the second run failed too: the backoff doubles
    clock.advance(FIRST_BACKOFF_MS / 1000)
    await asyncio.sleep(0.01)
    assert len(runs) == 2
    clock.advance(FIRST_BACKOFF_MS / 1000)
    await asyncio.sleep(0.01)
    assert len(runs) == 3 and supervisor.running() == ["flaky"]
    await supervisor.stop()
    assert supervisor.running() == []


async def test_a_worker_whose_work_is_done_is_not_restarted() -> None:
    supervisor = Supervisor(ControllableClock())
    runs: list[str] = []

    async def once() -> None:
        runs.append("ran")

    supervisor.start("once", once)
    await asyncio.sleep(0.01)
    assert (runs, supervisor.running(), supervisor.restarts["once"]) == (["ran"], [], 0)


def test_health_names_every_service_and_worker(server: ServerProcess) -> None:
    status, body = server.admin("GET", "/health")
    assert status == 200
    assert body["services"] == {"sqs": "running", "sts": "running"}
    assert body["workers"] == {"running": ["retention"], "restarts": {}}
