"""SQS admin actions (JSON in, JSON out), each the SQS operation an SDK would call, on the queue the path names:
send a message, purge, see a queue's dead-letter sources, start, list and cancel redrives (message move tasks),
and what consumers took (the history of received and deleted messages)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from persistence.records import QueueRecord
from server.admin.services import sqs_of
from server.config import Config, own_url
from server.errors import AwsError
from server.internal_calls import call
from server.services.sqs.catalog import queue_arn, redrive_policy


def _queue(request: Request) -> QueueRecord:
    p = request.path_params
    return sqs_of(request).catalog.find(p["account"], p["region"], p["name"])


async def _body(request: Request) -> dict[str, Any]:
    try:
        document = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise AwsError("InvalidRequest", "The body must be a JSON object.")
    return document


async def _sqs_call(
    request: Request, queue: QueueRecord, operation: str, params: dict[str, Any]
) -> dict[str, Any]:
    config: Config = request.app.state.config
    return await call(
        request.app.state.registry, "sqs", operation, params, queue.account, queue.region, own_url(config)
    )


def _url(request: Request, queue: QueueRecord) -> str:
    config: Config = request.app.state.config
    return f"{own_url(config)}/{queue.account}/{queue.name}"


async def send_message(request: Request) -> Response:
    """{"body": text, "attributes"?: {name: {DataType, StringValue | BinaryValue}}, "delay_seconds"?,
    "group_id"?, "deduplication_id"?} -> SendMessage's answer."""
    queue, document = _queue(request), await _body(request)
    params: dict[str, Any] = {"QueueUrl": _url(request, queue), "MessageBody": document.get("body")}
    for key, name in (
        ("attributes", "MessageAttributes"),
        ("delay_seconds", "DelaySeconds"),
        ("group_id", "MessageGroupId"),
        ("deduplication_id", "MessageDeduplicationId"),
    ):
        if key in document:
            params[name] = document[key]
    return JSONResponse(await _sqs_call(request, queue, "SendMessage", params))


async def purge(request: Request) -> Response:
    """Delete every message of the queue (PurgeQueue)."""
    queue = _queue(request)
    await _sqs_call(request, queue, "PurgeQueue", {"QueueUrl": _url(request, queue)})
    return JSONResponse({"purged": queue_arn(queue)})


async def dead_letter_sources(request: Request) -> Response:
    """The queues whose RedrivePolicy sends their failures to this one."""
    queue = _queue(request)
    sources = sqs_of(request).catalog.dead_letter_sources(queue)
    return JSONResponse(
        {
            "queue": queue_arn(queue),
            "sources": [
                {"arn": queue_arn(s), "max_receive_count": redrive_policy(s).get("maxReceiveCount")}
                for s in sources
            ],
        }
    )


async def move_tasks(request: Request) -> Response:
    """GET: the queue's latest redrives (ListMessageMoveTasks). POST {"destination_arn"?, "max_per_second"?}:
    start one from this dead-letter queue (StartMessageMoveTask)."""
    queue = _queue(request)
    if request.method == "GET":
        listed = await _sqs_call(
            request, queue, "ListMessageMoveTasks", {"SourceArn": queue_arn(queue), "MaxResults": 10}
        )
        return JSONResponse(listed)
    document = await _body(request)
    params: dict[str, Any] = {"SourceArn": queue_arn(queue)}
    if "destination_arn" in document:
        params["DestinationArn"] = document["destination_arn"]
    if "max_per_second" in document:
        params["MaxNumberOfMessagesPerSecond"] = document["max_per_second"]
    return JSONResponse(await _sqs_call(request, queue, "StartMessageMoveTask", params))


async def cancel_move_task(request: Request) -> Response:
    """{"task_handle": …} -> CancelMessageMoveTask's answer."""
    queue, document = _queue(request), await _body(request)
    params = {"TaskHandle": document.get("task_handle")}
    return JSONResponse(await _sqs_call(request, queue, "CancelMessageMoveTask", params))


async def history(request: Request) -> Response:
    """What consumers received from the queue lately, and when each message was deleted (bounded, an hour)."""
    queue = _queue(request)
    return JSONResponse(
        {"queue": queue_arn(queue), "messages": sqs_of(request).messaging.history.of(queue.id)}
    )


_QUEUE = "/admin/sqs/queues/{account}/{region}/{name}"
SQS_ACTION_ROUTES = [
    Route(_QUEUE + "/send", send_message, methods=["POST"]),
    Route(_QUEUE + "/purge", purge, methods=["POST"]),
    Route(_QUEUE + "/dead-letter-sources", dead_letter_sources),
    Route(_QUEUE + "/move-tasks", move_tasks, methods=["GET", "POST"]),
    Route(_QUEUE + "/move-tasks/cancel", cancel_move_task, methods=["POST"]),
    Route(_QUEUE + "/history", history),
]
