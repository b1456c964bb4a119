"""How the app adds SQS: the service, and its retention worker."""

from __future__ import annotations

from server.runtime import Installed, Platform
from server.services.sqs.consumer import Consumer
from server.services.sqs.descriptor import DESCRIPTOR
from server.services.sqs.enqueue import Enqueue
from server.services.sqs.service import SqsService
from server.workers.retention import RetentionWorker


def install(platform: Platform) -> Installed:
    sqs = SqsService(
        platform.db,
        platform.clock,
        platform.supervisor,
        enforce_purge_interval=platform.config.enforce_purge_interval,
        enforce_recreate_delay=platform.config.enforce_recreate_delay,
        url_style=platform.config.queue_url_style,
    )
    platform.offer(Enqueue, sqs.messaging.enqueue)
    platform.offer(Consumer, Consumer(sqs.catalog, sqs.messaging))
    retention = RetentionWorker(platform.db, platform.clock, released=sqs.waiters.wake)
    return Installed(DESCRIPTOR, sqs, workers={"retention": retention.run})
