"""How the app adds Lambda: its event-source mappings poll through SQS's consumer, so SQS comes first; it
offers Event invocations to the services installed after it (SNS), and publishes to SNS topics (destinations)
through what SNS offers once installed."""

from __future__ import annotations

from pathlib import Path

from server.config import own_url
from server.runtime import Installed, Platform, Work
from server.services.lambda_.descriptor import DESCRIPTOR
from server.services.lambda_.event_invocations import EventInvocations
from server.services.lambda_.service import LambdaService
from server.services.lambda_.workers import WorkerBudget
from server.services.log_writing import LogWriting
from server.services.sqs.consumer import Consumer
from server.services.sqs.enqueue import Enqueue
from server.services.topic_publishing import TopicPublishing


def install(platform: Platform) -> Installed:
    config = platform.config
    # Absolute: workers run in their code's folder, and a relative data dir would be read from there.
    runtime_dir = None if config.in_memory else Path(config.data_dir).resolve() / "lambda"
    budget = WorkerBudget(config.lambda_max_workers, config.lambda_idle_s * 1000, platform.clock.now_ms)
    service = LambdaService(
        platform.db,
        platform.clock,
        platform.needs(Consumer),
        platform.needs(Enqueue),
        platform.supervisor,
        runtime_dir,
        budget,
        own_url(config),
        platform.needs(LogWriting),
        platform.later(TopicPublishing),
    )
    platform.offer(EventInvocations, service.event_invocations)
    workers: dict[str, Work] = {
        "lambda-async": service.async_invocations.work.run,
        "lambda-worker-reaper": service.reap_idle,
    }
    return Installed(DESCRIPTOR, service, workers=workers)
