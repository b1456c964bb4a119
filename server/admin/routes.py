"""Admin REST routes (JSON). Inspection never changes state: peeking at messages counts no receive.

Shaped to grow: /admin/{service}/... per service, plus server-wide /admin/clock and /admin/reset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from persistence.records import MessageRecord, QueueRecord
from persistence.state_export import ImportRefused
from server.admin import metrics_route, openapi, sqs_developer
from server.admin.lambda_routes import LAMBDA_ROUTES
from server.admin.services import runtime_of, sqs_of
from server.admin.sns_routes import SNS_ROUTES
from server.admin.sqs_actions import SQS_ACTION_ROUTES
from server.admin.ui_routes import UI_ROUTES
from server.clock import ControllableClock
from server.errors import AwsError
from server.seed.document import SCHEMA_FILE
from server.seed.init_scripts import InitScripts
from server.services.sqs.catalog import queue_arn
from server.services.sqs.incoming import sequence_text
from server.services.sqs.service import SqsService

PEEK_LIMIT = 100
MAX_PEEK_LIMIT = 1000
_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")
# Ten years: far beyond any SQS timeout (retention is 14 days), far below what 64-bit milliseconds hold.
MAX_CLOCK_STEP_S = 10 * 365 * 86400


HEALTH_PROBE_S = 2.0


async def _storage(request: Request) -> dict[str, Any]:
    db = runtime_of(request).db
    problem = await db.probe(HEALTH_PROBE_S)
    return {"writing": problem is None, "problem": problem, "writer_restarts": db.writer_restarts}


async def health(request: Request) -> Response:
    """200 while the database commits writes; 503, and why, while it does not."""
    storage = await _storage(request)
    healthy = storage["writing"]
    runtime = runtime_of(request)
    workers = {"running": runtime.supervisor.running(), "restarts": dict(runtime.supervisor.restarts)}
    body = {
        "status": "ok" if healthy else "unavailable",
        "services": runtime.service_states(),
        "storage": storage,
        "workers": workers,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


async def ready(request: Request) -> Response:
    """200 once every service runs and the database commits writes (a container's readiness probe)."""
    is_ready = bool(getattr(request.app.state, "ready", False)) and (await _storage(request))["writing"]
    body = {"ready": is_ready, "services": runtime_of(request).service_states()}
    return JSONResponse(body, status_code=200 if is_ready else 503)


def _init(request: Request) -> InitScripts:
    init: InitScripts = request.app.state.init
    return init


async def init_stages(request: Request) -> Response:
    """LocalStack's /_localstack/init: which start-up stages are done, and each init script's state."""
    init = _init(request)
    completed = {"BOOT": True, "START": True, "READY": init.completed, "SHUTDOWN": False}
    return JSONResponse({"completed": completed, "scripts": init.view()})


async def init_ready(request: Request) -> Response:
    """LocalStack's /_localstack/init/ready: whether the READY scripts have run, and how each went."""
    init = _init(request)
    return JSONResponse({"completed": init.completed, "scripts": init.view()})


async def seed_schema(request: Request) -> Response:
    """The JSON Schema seed documents are checked against."""
    return Response(SCHEMA_FILE.read_bytes(), media_type="application/schema+json")


async def _queue_summaries(sqs: SqsService, queues: list[QueueRecord]) -> list[dict[str, Any]]:
    now_ms = sqs.clock.now_ms()
    figures = await sqs.messaging.read_gauges([q.id for q in queues], now_ms)
    summaries = []
    for queue in queues:
        counts, oldest_ms = figures[queue.id]
        summaries.append(
            {
                "account": queue.account,
                "region": queue.region,
                "name": queue.name,
                "arn": queue_arn(queue),
                "visible": counts.visible,
                "in_flight": counts.in_flight,
                "delayed": counts.delayed,
                "oldest_message_age_s": None if oldest_ms is None else max(0, now_ms - oldest_ms) / 1000,
                "receives_waiting": sqs.waiters.waiting(queue.id),
                "sent": sqs.messaging.stats.sent[queue.id],
                "received": sqs.messaging.stats.received[queue.id],
                "deleted": sqs.messaging.stats.deleted[queue.id],
            }
        )
    return summaries


async def list_queues(request: Request) -> Response:
    """Every queue with its counts, the age of its oldest message, and what it sent, received and deleted."""
    sqs = sqs_of(request)
    wanted = {k: request.query_params[k] for k in ("account", "region") if k in request.query_params}
    queues = [q for q in sqs.catalog.all() if all(getattr(q, k) == v for k, v in wanted.items())]
    return JSONResponse({"queues": await _queue_summaries(sqs, queues)})


def _find(request: Request) -> QueueRecord:
    p = request.path_params
    return sqs_of(request).catalog.find(p["account"], p["region"], p["name"])


async def describe_queue(request: Request) -> Response:
    """One queue: its counts, attributes and tags."""
    sqs = sqs_of(request)
    queue = _find(request)
    (summary,) = await _queue_summaries(sqs, [queue])
    summary |= {
        "attributes": queue.attributes,
        "tags": queue.tags,
        "created_s": queue.created_s,
        "modified_s": queue.modified_s,
    }
    return JSONResponse(summary)


def _message_state(message: MessageRecord, now_ms: int) -> str:
    if message.visible_at_ms <= now_ms:
        return "visible"
    return "in_flight" if message.receive_count else "delayed"


def _fifo_and_dead_letter_fields(message: MessageRecord) -> dict[str, Any]:
    fields = {
        "group_id": message.group_id,
        "deduplication_id": message.dedup_id,
        "sequence_number": None
        if message.sequence_number is None
        else sequence_text(message.sequence_number),
        "dead_letter_source_arn": message.dead_letter_source,
    }
    return {name: value for name, value in fields.items() if value is not None}


def _wanted(request: Request) -> Callable[[dict[str, Any]], bool]:
    """The peek's filters: state (visible, in_flight, delayed), group, attribute (`name` or `name=value`), and
    min_receive_count."""
    query = request.query_params
    state, group, attribute = query.get("state"), query.get("group"), query.get("attribute")
    least_text = query.get("min_receive_count", "0")
    least = int(least_text) if _WHOLE_NUMBER.fullmatch(least_text) else 0
    name, _, value = (attribute or "").partition("=")

    def wanted(message: dict[str, Any]) -> bool:
        if state is not None and message["state"] != state:
            return False
        if group is not None and message.get("group_id") != group:
            return False
        if message["receive_count"] < least:
            return False
        if attribute:
            found = message["attributes"].get(name)
            if found is None or (value and found.get("StringValue") != value):
                return False
        return True

    return wanted


async def peek_messages(request: Request) -> Response:
    """The queue's messages as they are, changing nothing (no receive is counted), optionally filtered."""
    sqs = sqs_of(request)
    queue = _find(request)
    limit_text = request.query_params.get("limit", str(PEEK_LIMIT))
    if not _WHOLE_NUMBER.fullmatch(limit_text) or not 1 <= int(limit_text) <= MAX_PEEK_LIMIT:
        return JSONResponse({"error": f"limit must be a whole number from 1 to {MAX_PEEK_LIMIT}"}, 400)
    limit = int(limit_text)
    now_ms = sqs.clock.now_ms()
    wanted = _wanted(request)
    messages = [
        {
            "message_id": m.message_id,
            "state": _message_state(m, now_ms),
            "body": m.body,
            "attributes": orjson.loads(m.attributes) if m.attributes else {},
            "sent_ms": m.sent_ms,
            "visible_at_ms": m.visible_at_ms,
            "receive_count": m.receive_count,
            "first_receive_ms": m.first_receive_ms,
        }
        | _fifo_and_dead_letter_fields(m)
        for m in await sqs.messaging.peek(queue, MAX_PEEK_LIMIT)
    ]
    return JSONResponse({"queue": queue.name, "messages": [m for m in messages if wanted(m)][:limit]})


async def advance_clock(request: Request) -> Response:
    """Move the server's clock forward: {"advance_seconds": N} (only with --controllable-clock)."""
    clock = runtime_of(request).clock
    if not isinstance(clock, ControllableClock):
        return JSONResponse({"error": "start the server with --controllable-clock"}, status_code=404)
    try:
        seconds = float(orjson.loads(await request.body())["advance_seconds"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return JSONResponse({"error": 'expected {"advance_seconds": N}'}, status_code=400)
    if not 0 <= seconds <= MAX_CLOCK_STEP_S:  # also refuses NaN
        return JSONResponse(
            {"error": f"advance_seconds must be from 0 (the clock only moves forward) to {MAX_CLOCK_STEP_S}"},
            status_code=400,
        )
    clock.advance(seconds)
    return JSONResponse({"now_ms": clock.now_ms()})


async def reset(request: Request) -> Response:
    """Forget everything, or (with a service in the path: sqs, sns, lambda, iam, logs) that service's all."""
    runtime = runtime_of(request)
    name = request.path_params.get("service")
    if name is None:
        await runtime.reset()
        return JSONResponse({"reset": True})
    try:
        service = runtime.service(name)
    except StopIteration:
        return JSONResponse({"error": f"no service {name}"}, status_code=404)
    await service.reset()
    return JSONResponse({"reset": name})


async def state(request: Request) -> Response:
    """GET: everything the server holds, as one JSON document (every table's rows). POST that document back:
    everything is replaced by it (refused, changing nothing, if it is not one or is of another schema version)."""
    runtime = runtime_of(request)
    if request.method == "GET":
        return Response(orjson.dumps(await runtime.export_state()), media_type="application/json")
    try:
        document = orjson.loads(await request.body())
        rows = await runtime.import_state(document)
    except orjson.JSONDecodeError:
        return JSONResponse({"error": "the body is not JSON"}, status_code=400)
    except ImportRefused as refused:
        return JSONResponse({"error": f"not imported: {refused}"}, status_code=400)
    return JSONResponse({"imported_rows": rows})


_NOT_FOUND = {"AWS.SimpleQueueService.NonExistentQueue", "NotFound", "ResourceNotFoundException"}


async def _aws_error(request: Request, error: Exception) -> Response:
    """A service's refusal, in JSON: 404 for what does not exist, else the service's own status."""
    assert isinstance(error, AwsError)
    status = 404 if error.code in _NOT_FOUND else error.status
    return JSONResponse({"error": error.code, "message": error.message}, status_code=status)


async def _http_error(request: Request, error: Exception) -> Response:
    """Unknown admin paths and methods answer JSON too, as every other admin reply does."""
    assert isinstance(error, HTTPException)
    return JSONResponse({"error": error.detail}, status_code=error.status_code, headers=error.headers)


ROUTES = [
    Route("/health", health),
    Route("/_localstack/health", health),
    Route("/_localstack/init", init_stages),
    Route("/_localstack/init/ready", init_ready),
    Route("/admin/seed.schema.json", seed_schema),
    Route("/admin/openapi.json", openapi.openapi),
    Route("/metrics", metrics_route.metrics),
    Route("/ready", ready),
    Route("/admin/clock", advance_clock, methods=["POST"]),
    Route("/admin/reset", reset, methods=["POST"]),
    Route("/admin/reset/{service}", reset, methods=["POST"]),
    Route("/admin/state", state, methods=["GET", "POST"]),
    Route("/admin/sqs/queues", list_queues),
    Route("/admin/sqs/queues/{account}/{region}/{name}", describe_queue),
    Route("/admin/sqs/queues/{account}/{region}/{name}/messages", peek_messages),
    Route("/_aws/sqs/messages", sqs_developer.list_messages, methods=["GET", "POST"]),
    Route("/_aws/sqs/messages/{region}/{account}/{name}", sqs_developer.list_messages),
    *SQS_ACTION_ROUTES,
    *UI_ROUTES,
    *SNS_ROUTES,
    *LAMBDA_ROUTES,
]
EXCEPTION_HANDLERS = {AwsError: _aws_error, HTTPException: _http_error}
