"""SQS operations around dead-letter queues: who uses a queue as one, and message move tasks (redrive)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from persistence.move_tasks import RUNNING, MoveTask
from persistence.records import QueueRecord
from server.context import RequestContext
from server.errors import invalid_parameter_value
from server.services.params import Params
from server.services.sqs.errors import invalid_value, sqs_error
from server.services.sqs.pages import page_of
from server.services.sqs.service import SqsService

Result = dict[str, Any]
MAX_RATE = 500


async def list_dead_letter_source_queues(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    sources = sqs.catalog.dead_letter_sources(sqs.queue(ctx, params))
    page, token = page_of(sources, params)
    result: Result = {"queueUrls": [sqs.url_of(ctx, queue) for queue in page]}
    if token is not None:
        result["NextToken"] = token
    return result


def _not_found(parameter: str) -> Exception:
    return sqs_error(
        "ResourceNotFoundException",
        f"The resource that you specified for the {parameter} parameter doesn't exist.",
    )


def _queue_by_arn(sqs: SqsService, arn: str, parameter: str) -> QueueRecord:
    queue = sqs.catalog.by_arn(arn)
    if queue is None:
        raise _not_found(parameter)
    return queue


def task_handle(task: MoveTask) -> str:
    """AWS's form: base64 of a small JSON document naming the task and its source queue."""
    return base64.b64encode(orjson.dumps({"taskId": task.task_id, "sourceArn": task.source_arn})).decode()


async def start_message_move_task(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    source_arn = params.required_text("SourceArn")
    source = _queue_by_arn(sqs, source_arn, "SourceArn")
    if not sqs.catalog.dead_letter_sources(source):
        raise invalid_parameter_value("Source queue must be configured as a Dead Letter Queue.")
    destination_arn = params.text("DestinationArn")
    if destination_arn is not None:
        _queue_by_arn(sqs, destination_arn, "DestinationArn")
    rate = params.integer("MaxNumberOfMessagesPerSecond")
    if rate is not None and not 1 <= rate <= MAX_RATE:
        raise invalid_value(
            "MaxNumberOfMessagesPerSecond", rate, f"Value must be between 1 and {MAX_RATE}, if provided."
        )
    task = await sqs.move_tasks.start(source, source_arn, destination_arn, rate)
    if task is None:
        raise invalid_parameter_value(
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
        )
    return {"TaskHandle": task_handle(task)}


def _parse_handle(handle: str) -> tuple[str, str]:
    try:
        document = orjson.loads(base64.b64decode(handle, validate=True))
        task_id, source_arn = document["taskId"], document["sourceArn"]
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError, KeyError):
        task_id = source_arn = None
    if not isinstance(task_id, str) or not isinstance(source_arn, str):
        raise invalid_parameter_value("Value for parameter TaskHandle is invalid.")
    return task_id, source_arn


async def cancel_message_move_task(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    task_id, source_arn = _parse_handle(params.required_text("TaskHandle"))
    _queue_by_arn(sqs, source_arn, "SourceArn")
    task = await sqs.move_tasks.find(task_id)
    if task is None or task.source_arn != source_arn:
        raise sqs_error("ResourceNotFoundException", "Task does not exist.")
    cancelling = await sqs.move_tasks.cancel(task) if task.status == RUNNING else None
    if cancelling is None:
        current = await sqs.move_tasks.find(task_id)
        raise invalid_parameter_value(
            f"Task is in status {(current or task).status}: only a RUNNING task can be cancelled."
        )
    return {"ApproximateNumberOfMessagesMoved": cancelling.moved}


def _task_view(task: MoveTask) -> Result:
    view: Result = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": task.started_ms,
    }
    if task.status == RUNNING:
        view["TaskHandle"] = task_handle(task)
    if task.destination_arn is not None:
        view["DestinationArn"] = task.destination_arn
    if task.rate is not None:
        view["MaxNumberOfMessagesPerSecond"] = task.rate
    if task.failure_reason is not None:
        view["FailureReason"] = task.failure_reason
    return view


async def list_message_move_tasks(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    source_arn = params.required_text("SourceArn")
    _queue_by_arn(sqs, source_arn, "SourceArn")
    limit = params.integer("MaxResults")
    if limit is not None and not 1 <= limit <= 10:
        raise invalid_value("MaxResults", limit, "Value must be between 1 and 10, if provided.")
    tasks = await sqs.move_tasks.newest(source_arn, limit or 1)
    return {"Results": [_task_view(task) for task in tasks]}
