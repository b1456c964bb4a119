"""LocalStack's SQS developer endpoint, `/_aws/sqs/messages`, in its shapes: every message of a queue as
ReceiveMessage returns it, with no side effect (no receive counted, nothing hidden).

- `GET /_aws/sqs/messages?QueueUrl=…` or `GET /_aws/sqs/messages/<region>/<account>/<name>`: the query
  protocol's XML, or with `Accept: application/json` that XML as JSON (LocalStack's rendering);
  `ShowInvisible=true` and `ShowDelayed=true` add in-flight and delayed messages, marked `IsVisible`/`IsDelayed`.
- An SDK pointed at it (`endpoint_url=…/_aws/sqs/messages`) may call ReceiveMessage, in either protocol: it gets
  every visible message, whatever MaxNumberOfMessages says; any other call is refused with InvalidRequest.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from persistence.records import MessageRecord, QueueRecord
from server import ids
from server.admin.services import sqs_of
from server.config import Config
from server.errors import AwsError
from server.http import HttpResponse
from server.protocols import json10, query
from server.services.sqs.errors import queue_does_not_exist
from server.services.sqs.incoming import Selection, received
from server.services.sqs.queue_urls import parse_queue_url
from server.services.sqs.wire import OUTPUT

SHOWN = 10_000
"""At most this many messages in one answer (in enqueue order)."""
_EVERYTHING = Selection(frozenset({"All"}), ("All",))
_QUERY_TARGET = "AmazonSQS."


def _invalid_address(url: str) -> AwsError:
    return AwsError("InvalidAddress", f"The address {url} is not valid for this endpoint.", status=404)


def _queue(request: Request, url: str | None) -> QueueRecord:
    config: Config = request.app.state.config
    path = request.path_params
    if "name" in path:
        return sqs_of(request).catalog.find(path["account"], path["region"], path["name"])
    if not url:
        raise queue_does_not_exist()
    address = parse_queue_url(url)
    if address is None or address.account is None:
        raise _invalid_address(url)
    return sqs_of(request).catalog.find(address.account, address.region or config.region, address.name)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() == "true"


async def _messages(
    request: Request, queue: QueueRecord, invisible: bool, delayed: bool
) -> list[dict[str, Any]]:
    sqs = sqs_of(request)
    now_ms = sqs.clock.now_ms()
    shown = []
    for message in await sqs.messaging.peek(queue, SHOWN):
        is_visible = message.visible_at_ms <= now_ms
        is_delayed = not is_visible and not message.receive_count
        if (not is_visible and not is_delayed and not invisible) or (is_delayed and not delayed):
            continue
        view = received(message, _EVERYTHING)
        view["Attributes"] = view.get("Attributes", {}) | _marks(
            message, is_visible, is_delayed, invisible, delayed
        )
        shown.append(view)
    return shown


def _marks(
    message: MessageRecord, visible: bool, delayed: bool, invisible: bool, show_delayed: bool
) -> dict[str, str]:
    marks = {"ApproximateFirstReceiveTimestamp": str(message.first_receive_ms or 0)}
    if invisible:
        marks["IsVisible"] = "true" if visible else "false"
    if show_delayed:
        marks["IsDelayed"] = "true" if delayed else "false"
    return marks


def _reply(answer: HttpResponse, as_json: bool) -> Response:
    if not as_json:
        return Response(answer.body, answer.status, answer.headers, media_type=answer.media_type)
    import xmltodict  # at the first JSON listing: start-up does not pay for it

    document = xmltodict.parse(answer.body)  # LocalStack's JSON is its XML, parsed
    return Response(orjson.dumps(document), answer.status, answer.headers, media_type="application/json")


async def list_messages(request: Request) -> Response:
    """GET: the queue's messages as XML (or JSON), changing nothing; POST: an SDK's ReceiveMessage."""
    if request.method == "POST":
        return await _as_endpoint(request)
    request_id = ids.uuid4()
    as_json = query.wants_json(request.headers.get("accept", ""))
    try:
        queue = _queue(request, request.query_params.get("QueueUrl"))
        messages = await _messages(
            request, queue, _flag(request, "ShowInvisible"), _flag(request, "ShowDelayed")
        )
        answer = query.encode_result("ReceiveMessage", {"Messages": messages}, request_id, OUTPUT)
    except AwsError as error:
        answer = query.encode_error(error, request_id, OUTPUT)
    return _reply(answer, as_json)


async def _as_endpoint(request: Request) -> Response:
    request_id = ids.uuid4()
    body = await request.body()
    target = request.headers.get("x-amz-target")
    params = json10.decode(body) if target else query.read_form(request.url.query, body)
    action = target.removeprefix(_QUERY_TARGET) if target else params.get("Action", "")
    try:
        if action != "ReceiveMessage":
            raise AwsError("InvalidRequest", "This endpoint only accepts ReceiveMessage calls")
        queue = _queue(request, params.get("QueueUrl"))
        result = {"Messages": await _messages(request, queue, invisible=False, delayed=False)}
        if target:
            answer = json10.encode_result(result, request_id)
        else:
            answer = query.encode_result("ReceiveMessage", result, request_id, OUTPUT)
    except AwsError as error:
        answer = (
            json10.encode_error(error, request_id, True)
            if target
            else query.encode_error(error, request_id, OUTPUT)
        )
    return Response(answer.body, answer.status, answer.headers, media_type=answer.media_type)
