"""create_app: the ASGI application, its parts, routes and lifespan. Nothing else lives here."""

from __future__ import annotations

import os
from dataclasses import replace

from persistence.engine import Database
from server.asgi import BASE_HEADERS, Endpoint, Lifecycle
from server.clock import Clock, ControllableClock, SystemClock
from server.config import Config, limits_of
from server.gateway import Gateway
from server.guard import Guard
from server.operator_app import OperatorApp
from server.registry import Registry
from server.request_log import RequestLog
from server.runtime import Install, Platform, Runtime
from server.seed.init_scripts import InitScripts
from server.services.iam import install as iam
from server.services.lambda_ import install as lambda_
from server.services.logs import install as logs
from server.services.sns import install as sns
from server.services.sqs import install as sqs
from server.services.sts import install as sts

DATABASE_FILE = "posthouse.db"
# Every service this server runs: one line each.
SERVICES: list[Install] = [
    sqs.install,
    sts.install,
    iam.install,
    logs.install,  # before Lambda: functions write their output there
    lambda_.install,  # after SQS: its mappings poll through SQS's consumer
    sns.install,  # after SQS and Lambda: it fans out through SQS's enqueue and Lambda's Event invocations
]


def _seeded(runtime: Runtime, registry: Registry, config: Config) -> Lifecycle:
    """The runtime's start followed by the seeds (their modules imported only when there are seeds)."""
    from server.seed.document import read
    from server.seed.startup import SeededStart

    return SeededStart(runtime, registry, [read(*seed) for seed in config.seeds], config)


def create_app(config: Config, clock: Clock | None = None) -> Endpoint:
    clock = clock or (ControllableClock() if config.controllable_clock else SystemClock())
    path = None if config.in_memory else os.path.join(config.data_dir, DATABASE_FILE)
    db = Database(path, config.durability, trace_sql=config.trace_sql)
    runtime = Runtime(Platform(db, clock, config), SERVICES)
    registry = Registry()
    for entry in runtime.installed:
        registry.add(entry.descriptor.name, entry.service, entry.descriptor.operations)
    limits = limits_of(config)
    gateway = Gateway(
        registry,
        config,
        runtime.descriptors,
        issued_accounts=runtime.issued_account,
        default_body_bytes=limits.default_body_bytes,
    )
    operator_app = OperatorApp()
    operator_app.state.runtime = runtime
    operator_app.state.ready = False
    operator_app.state.config = config
    operator_app.state.registry = registry
    operator_app.state.gateway_metrics = gateway.metrics
    operator_app.state.init = InitScripts(config.init_dir)
    guard = Guard.build(
        list(config.allowed_origins), list(config.allowed_hosts), config.admin_token, config.base_url
    )
    wanted_headers = BASE_HEADERS | gateway.request_headers
    request_log = None
    if config.log_level in ("info", "debug"):  # a line per request; quieter levels leave the hot path alone
        request_log = RequestLog(config.log_format == "json", clock.now_ms)
        gateway.log_resources = True
    return Endpoint(
        gateway,
        operator_app,
        operator_app.state,
        guard,
        replace(
            limits,
            max_body_bytes=gateway.largest_body_bytes,
            smallest_body_bytes=gateway.smallest_body_bytes,
        ),
        wanted_headers,
        request_log=request_log,
        lifecycle=_seeded(runtime, registry, config) if config.seeds else runtime,
    )
