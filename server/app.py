"""create_app: the ASGI application, its parts, routes and lifespan. Nothing else lives here."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from persistence.engine import Database
from server.admin.routes import EXCEPTION_HANDLERS, ROUTES
from server.asgi import Endpoint
from server.clock import Clock, ControllableClock, SystemClock
from server.config import Config, limits_of
from server.gateway import Gateway
from server.guard import Guard
from server.registry import Registry
from server.runtime import Installed, Runtime
from server.services.sqs.descriptor import DESCRIPTOR as SQS
from server.services.sqs.service import SqsService
from server.services.sts.descriptor import DESCRIPTOR as STS
from server.services.sts.service import StsService
from server.workers.retention import RetentionWorker

DATABASE_FILE = "posthouse.db"


def create_app(config: Config, clock: Clock | None = None) -> Endpoint:
    clock = clock or (ControllableClock() if config.controllable_clock else SystemClock())
    path = None if config.in_memory else os.path.join(config.data_dir, DATABASE_FILE)
    db = Database(path, config.durability, trace_sql=config.trace_sql)
    sqs = SqsService(
        db,
        clock,
        enforce_purge_interval=config.enforce_purge_interval,
        enforce_recreate_delay=config.enforce_recreate_delay,
    )
    sts = StsService(db, clock)
    retention = RetentionWorker(db, clock, released=sqs.waiters.wake)
    runtime = Runtime(
        db, clock, [Installed(SQS, sqs), Installed(STS, sts)], workers={"retention": retention.run}
    )
    registry = Registry()
    for entry in runtime.installed:
        registry.add(entry.descriptor.name, entry.service, entry.descriptor.operations)
    gateway = Gateway(registry, config, runtime.descriptors, issued_accounts=sts.account_of)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        app.state.ready = True
        try:
            yield
        finally:
            app.state.ready = False
            await runtime.stop()

    operator_app = Starlette(routes=ROUTES, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    operator_app.state.runtime = runtime
    operator_app.state.sqs = sqs  # the admin routes' queue views
    operator_app.state.ready = False
    guard = Guard.build(
        list(config.allowed_origins), list(config.admin_hosts), config.admin_token, config.base_url
    )
    return Endpoint(gateway.handle, operator_app, operator_app.state, guard, limits_of(config))
