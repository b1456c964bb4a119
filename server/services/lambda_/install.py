"""How the app adds Lambda: its event-source mappings poll through SQS's consumer, so SQS comes first; it
offers Event invocations to the services installed after it (SNS)."""

from __future__ import annotations

from pathlib import Path

from server.runtime import Installed, Platform
from server.services.lambda_.descriptor import DESCRIPTOR
from server.services.lambda_.event_invocations import EventInvocations
from server.services.lambda_.service import LambdaService
from server.services.sqs.consumer import Consumer
from server.services.sqs.enqueue import Enqueue


def install(platform: Platform) -> Installed:
    config = platform.config
    runtime_dir = None if config.in_memory else Path(config.data_dir) / "lambda"
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    endpoint = config.base_url or f"http://{host}:{config.port}"
    service = LambdaService(
        platform.db,
        platform.clock,
        platform.needs(Consumer),
        platform.needs(Enqueue),
        platform.supervisor,
        runtime_dir,
        endpoint,
    )
    platform.offer(EventInvocations, service.event_invocations)
    return Installed(DESCRIPTOR, service, workers={"lambda-async": service.async_invocations.work.run})
