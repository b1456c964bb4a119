"""The runtime supervises its workers: one that raises is started again after a backoff; health names every
service and worker."""

from __future__ import annotations

import asyncio
import json
import uuid

from conformance.clients import sqs_client
from persistence.engine import Database
from server.clock import ControllableClock, SystemClock
from server.config import Config
from server.context import RequestContext
from server.runtime import FIRST_BACKOFF_MS, Platform, Runtime, Supervisor
from server.services.sqs import install as sqs_install
from server.services.sqs.service import SqsService
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
    assert body["services"] == dict.fromkeys(("sqs", "sts", "iam", "logs", "sns", "lambda"), "running")
    running = body["workers"]["running"]
    always = {"retention", "sns-http-deliveries", "lambda-async", "lambda-worker-reaper", "logs-writer"}
    assert always <= set(running)
    workers_left = ("move-task-", "esm-")  # what other tests left running: move tasks, event-source mappings
    assert all(name in always or name.startswith(workers_left) for name in running)


def test_a_running_move_task_is_a_supervised_worker_until_it_completes(server: ServerProcess) -> None:
    sqs = sqs_client(server.url, "json")
    name = f"runtime-{uuid.uuid4().hex[:8]}"
    source = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    source_arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": source_arn, "maxReceiveCount": 1})
    main = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})[
        "QueueUrl"
    ]  # source: its DLQ
    main_arn = sqs.get_queue_attributes(QueueUrl=main, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message_batch(QueueUrl=source, Entries=[{"Id": str(n), "MessageBody": "m"} for n in range(3)])
    sqs.start_message_move_task(SourceArn=source_arn, DestinationArn=main_arn, MaxNumberOfMessagesPerSecond=1)
    _, body = server.admin("GET", "/health")
    moving = [n for n in body["workers"]["running"] if n.startswith("move-task-")]
    assert moving, body
    for _ in range(30):  # one message a second: the controllable clock moves it along
        server.advance(1)
        if sqs.list_message_move_tasks(SourceArn=source_arn)["Results"][0]["Status"] == "COMPLETED":
            break
    _, body = server.admin("GET", "/health")
    assert not set(moving) & set(body["workers"]["running"])  # done, and not kept


async def test_stopping_cancels_in_process_pollers_before_it_releases_long_polls() -> None:
    """An in-process poller (an event-source mapping's, later) loops on long polls; were the polls released
    while it still ran, each of its receives would return at once, and it would spin."""
    config = Config(in_memory=True)
    runtime = Runtime(
        Platform(Database(None, config.durability), SystemClock(), config), [sqs_install.install]
    )
    assert runtime.service_states() == {"sqs": "available"}
    await runtime.start()
    assert runtime.service_states() == {"sqs": "running"}
    sqs = runtime.service("sqs")
    assert isinstance(sqs, SqsService)
    ctx = RequestContext(account="000000000000", region="us-east-1", request_id="r", base_url="http://x")
    queue = await sqs.catalog.create(ctx, "polled", {}, {})
    receives = 0

    async def poller() -> None:
        nonlocal receives
        while True:
            receives += 1
            await sqs.messaging.receive(queue, 10, 30, 20)

    runtime.supervisor.start("poller", poller)
    for _ in range(1000):  # until it is parked
        if sqs.waiters.waiting(queue.id):
            break
        await asyncio.sleep(0.001)
    runtime.begin_stopping()
    assert runtime.service_states() == {"sqs": "stopping"}
    await asyncio.sleep(0.05)
    assert receives == 1 and runtime.supervisor.running() == []
    await runtime.stop()
