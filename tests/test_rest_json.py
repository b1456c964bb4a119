"""The REST-JSON codec, with botocore as the oracle both ways, over every operation of Lambda's model: routes
read off the model stand in for a service's declared ones; botocore serializes a request for each operation
and ours must decode the same members (path labels, query string, headers, JSON body or raw payload); ours
encodes each operation's result and error and botocore's rest-json parser must read back the same values.
One test drives a stand-in service through a live server with boto3's own Lambda client."""

from __future__ import annotations

import base64
import calendar
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import boto3
import botocore.session
import pytest
import uvicorn
from botocore.model import OperationModel
from botocore.model import Shape as ModelShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence
from starlette.applications import Starlette

from conformance.clients import CREDENTIALS, NO_RETRIES
from server.asgi import BASE_HEADERS, Endpoint
from server.config import Config
from server.context import RequestContext
from server.errors import AwsError
from server.gateway import Gateway
from server.guard import Guard
from server.http import HttpRequest
from server.limits import Limits
from server.registry import Registry
from server.services.lambda_.descriptor import ROUTES as LAMBDA_ROUTES
from server.services.params import Params
from server.wire import Reply, RestWire, Route, ServiceDescriptor
from tests.harness import free_port

LAMBDA = botocore.session.get_session().get_service_model("lambda")
OPERATIONS = [
    name
    for name in LAMBDA.operation_names
    if not (
        LAMBDA.operation_model(name).has_event_stream_output
        or LAMBDA.operation_model(name).has_event_stream_input
    )
]
KINDS = {"integer": "integer", "long": "integer", "boolean": "boolean", "list": "list"}
WHEN = datetime(2026, 12, 3, 4, 5, 6, tzinfo=UTC)


def located(shape: ModelShape | None, location: str) -> dict[str, str]:
    members = shape.members if shape is not None else {}
    return {
        n: m.serialization.get("name", n)
        for n, m in members.items()
        if m.serialization.get("location") == location
    }


def route_of(operation: OperationModel) -> Route:
    """The route a service would declare for this operation."""
    shape, out = operation.input_shape, operation.output_shape
    members = shape.members if shape is not None else {}
    kinds = {
        n: KINDS[m.type_name]
        for n, m in members.items()
        if m.serialization.get("location") in ("uri", "querystring", "header") and m.type_name in KINDS
    }
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload and members[payload].type_name == "structure":
        kinds[payload] = "structure"
    status = next(iter(located(out, "statusCode")), None)
    reply = Reply(
        status, located(out, "header"), out.serialization.get("payload") if out is not None else None
    )
    return Route(
        operation.name,
        operation.http["method"],
        operation.http["requestUri"],
        operation.http.get("responseCode", 200),
        located(shape, "querystring"),
        located(shape, "header"),
        payload,
        kinds,
        reply,
    )


def sample(shape: ModelShape, name: str, location: str | None = None, depth: int = 0) -> Any:
    """A value for every member, strings with the characters paths and queries must escape."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 4:
            return {}
        return {
            n: sample(m, n, m.serialization.get("location"), depth + 1)
            for n, m in shape.members.items()
            if m.serialization.get("location") != "statusCode"
        }
    if kind == "list":
        return [sample(shape.member, name, location, depth + 1) for _ in range(2)]
    if kind == "map":
        return {"key-1": sample(shape.value, name, None, depth + 1)}
    if kind == "string":
        return f"{name}-v" if location == "header" else f"{name}: a/b c+d&e=f%ü"
    if kind in ("integer", "long"):
        return 7
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"\x00\x01blob\xff"
    if kind == "timestamp":
        return WHEN
    raise AssertionError(f"no sample for {kind}")


def as_json(value: Any, shape: ModelShape) -> Any:
    """A value as a JSON body carries it: blobs in base64, timestamps as epoch seconds."""
    if shape.type_name == "structure":
        return {n: as_json(v, shape.members[n]) for n, v in value.items()}
    if shape.type_name == "list":
        return [as_json(v, shape.member) for v in value]
    if shape.type_name == "map":
        return {k: as_json(v, shape.value) for k, v in value.items()}
    if shape.type_name == "blob":
        return base64.b64encode(value).decode()
    if shape.type_name == "timestamp":
        return calendar.timegm(value.timetuple())
    return value


def decoded_as(params: dict[str, Any], shape: ModelShape) -> dict[str, Any]:
    """What our decoder should hand the handler: body members as JSON carries them, located members typed
    as the route declares them, the payload member raw (blob) or as JSON (structure)."""
    payload = shape.serialization.get("payload")
    expected = {}
    for name, value in params.items():
        member = shape.members[name]
        location = member.serialization.get("location")
        if name == payload and member.type_name == "blob":
            expected[name] = value
        elif location is None or name == payload:
            expected[name] = as_json(value, member)
        elif member.type_name == "timestamp":
            expected[name] = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            expected[name] = value
    return expected


class Recorder:
    """The stand-in service: records what each operation received, answers what it is told to."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}
        self.replies: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, AwsError] = {}


def recording(operation: str) -> Any:
    async def handler(service: Recorder, params: Params, ctx: RequestContext) -> dict[str, Any]:
        service.seen[operation] = dict(params.raw)
        if operation in service.errors:
            raise service.errors[operation]
        return service.replies.get(operation, {})

    return handler


def lambda_error_body(error: AwsError) -> dict[str, Any]:
    return {"Type": "User" if error.sender_fault else "Service", "Message": error.message}


DESCRIPTOR = ServiceDescriptor(
    name="functions",
    signing_name="lambda",
    operations={name: recording(name) for name in OPERATIONS},
    rest=RestWire(tuple(route_of(LAMBDA.operation_model(name)) for name in OPERATIONS), lambda_error_body),
)


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def gateway(recorder: Recorder) -> Gateway:
    registry = Registry()
    registry.add(DESCRIPTOR.name, recorder, DESCRIPTOR.operations)
    return Gateway(registry, Config(), [DESCRIPTOR])


def botocore_request(model: OperationModel, params: dict[str, Any]) -> HttpRequest:
    """The request botocore's rest-json serializer makes of `params`, as our gateway receives it: the raw
    path, and the query string of the template's literal part (`?find=LayerVersion`) and the members."""
    serialized = create_serializer("rest-json", include_validation=False).serialize_to_request(params, model)
    raw_path, _, literal = serialized["url_path"].partition("?")
    query = dict(pair.split("=") for pair in literal.split("&") if pair) | serialized["query_string"]
    body = serialized["body"]
    return HttpRequest(
        method=serialized["method"],
        scheme="http",
        path=unquote(raw_path),
        query=percent_encode_sequence(query),
        headers={k.lower(): v for k, v in serialized["headers"].items()},
        body=body.encode() if isinstance(body, str) else body,
        raw_path=raw_path,
    )


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_requests_botocore_serializes_decode_to_the_same_members(
    operation: str, gateway: Gateway, recorder: Recorder
) -> None:
    model = LAMBDA.operation_model(operation)
    params = sample(model.input_shape, operation) if model.input_shape is not None else {}
    response = await gateway.handle(botocore_request(model, params))
    assert response.status < 300, response.body
    expected = decoded_as(params, model.input_shape) if model.input_shape is not None else {}
    assert recorder.seen[operation] == expected


def parsed_reply(response: Any, shape: ModelShape | None) -> dict[str, Any]:
    wire = {"status_code": response.status, "headers": {**response.headers}, "body": response.body}
    wire["headers"]["content-type"] = response.media_type
    parsed: dict[str, Any] = create_parser("rest-json").parse(wire, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


@pytest.mark.parametrize(
    "operation", [name for name in OPERATIONS if LAMBDA.operation_model(name).output_shape]
)
async def test_results_we_encode_parse_with_botocore_to_the_same_values(
    operation: str, gateway: Gateway, recorder: Recorder
) -> None:
    model = LAMBDA.operation_model(operation)
    out = model.output_shape
    result = sample(out, operation)
    route = route_of(model)
    if route.reply.status:
        result[route.reply.status] = 202
    raw = (
        route.reply.payload
        if route.reply.payload and out.members[route.reply.payload].type_name == "blob"
        else None
    )
    if raw:  # botocore hands a raw payload on as the stream it reads; here, as the text it holds
        result[raw] = b'{"ok": true}'
    recorder.replies[operation] = {
        n: v if n == raw else as_json(v, out.members[n]) for n, v in result.items()
    }
    params = sample(model.input_shape, operation) if model.input_shape is not None else {}
    response = await gateway.handle(botocore_request(model, params))
    assert response.status == (202 if route.reply.status else route.status)
    assert parsed_reply(response, out) == {n: v.decode() if n == raw else v for n, v in result.items()}


@pytest.mark.parametrize(
    ("shape", "status", "sender_fault"),
    [
        ("ResourceNotFoundException", 404, True),
        ("TooManyRequestsException", 429, True),
        ("ServiceException", 500, False),
    ],
)
async def test_errors_parse_with_botocore_to_their_code_message_and_modelled_fields(
    shape: str, status: int, sender_fault: bool, gateway: Gateway, recorder: Recorder
) -> None:
    model = LAMBDA.operation_model("GetFunction")
    recorder.errors["GetFunction"] = AwsError(
        shape, "Function not found: x", status=status, sender_fault=sender_fault
    )
    try:
        response = await gateway.handle(botocore_request(model, {"FunctionName": "x"}))
    finally:
        del recorder.errors["GetFunction"]
    assert response.status == status
    parsed = parsed_reply(response, None)
    assert parsed["Error"] == {"Code": shape, "Message": "Function not found: x"}
    modelled = parsed_reply(response, LAMBDA.shape_for(shape))
    assert modelled["Type"] == ("User" if sender_fault else "Service")


@pytest.mark.parametrize(
    ("body", "complaint"),
    [(b"{not json", "Could not parse request body into json"), (b"[1, 2]", "the body is not an object")],
)
async def test_a_body_that_is_not_a_json_object_is_a_serialization_error(
    body: bytes, complaint: str, gateway: Gateway
) -> None:
    request = HttpRequest("POST", "http", "/2015-03-31/event-source-mappings", "", {}, body)
    response = await gateway.handle(request)
    assert response.status == 400
    assert response.headers["x-amzn-errortype"] == "SerializationException"
    assert complaint.encode() in response.body


async def test_a_path_label_keeps_an_encoded_slash_and_a_typed_query_parameter_is_checked(
    gateway: Gateway, recorder: Recorder
) -> None:
    path = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Aa%2Fb/policy"
    response = await gateway.handle(HttpRequest("GET", "http", unquote(path), "", {}, b"", raw_path=path))
    assert response.status == 200
    assert recorder.seen["GetPolicy"] == {"FunctionName": "arn:aws:lambda:us-east-1:1:function:a/b"}
    bad = HttpRequest("GET", "http", "/2015-03-31/functions", "MaxItems=many", {}, b"")
    response = await gateway.handle(bad)
    assert (response.status, response.headers["x-amzn-errortype"]) == (400, "SerializationException")
    assert b"MaxItems must be an integer" in response.body


@pytest.fixture(scope="module")
def live(gateway: Gateway) -> Iterator[str]:
    """The stand-in service behind a real uvicorn server, as the CLI serves services."""
    endpoint = Endpoint(
        gateway,
        Starlette(),
        None,
        Guard.build([], [], None, None),
        Limits(),
        BASE_HEADERS | gateway.request_headers,
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(endpoint, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_boto3_lambda_client_round_trips_headers_status_and_raw_payloads(
    live: str, recorder: Recorder
) -> None:
    client = boto3.session.Session().client(
        "lambda",
        endpoint_url=live,
        region_name="us-east-1",
        config=NO_RETRIES,
        **CREDENTIALS,
    )
    recorder.replies["Invoke"] = {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "LogResult": base64.b64encode(b"log tail").decode(),
        "ExecutedVersion": "$LATEST",
        "Payload": b'{"errorMessage": "boom"}',
    }
    answer = client.invoke(
        FunctionName="arn:aws:lambda:us-east-1:000000000000:function:fn",
        InvocationType="RequestResponse",
        LogType="Tail",
        Qualifier="$LATEST",
        Payload=b'{"order": 1}',
    )
    assert recorder.seen["Invoke"] == {
        "FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:fn",
        "InvocationType": "RequestResponse",
        "LogType": "Tail",
        "Qualifier": "$LATEST",
        "Payload": b'{"order": 1}',
    }
    assert (answer["StatusCode"], answer["FunctionError"], answer["ExecutedVersion"]) == (
        200,
        "Unhandled",
        "$LATEST",
    )
    assert answer["Payload"].read() == b'{"errorMessage": "boom"}'
    recorder.replies["ListEventSourceMappings"] = {"EventSourceMappings": [], "NextMarker": "m2"}
    listed = client.list_event_source_mappings(FunctionName="fn", Marker="m1", MaxItems=5)
    assert listed["NextMarker"] == "m2"
    assert recorder.seen["ListEventSourceMappings"] == {"FunctionName": "fn", "Marker": "m1", "MaxItems": 5}
    recorder.errors["DeleteFunction"] = AwsError(
        "ResourceNotFoundException", "Function not found: fn", status=404
    )
    try:
        with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
            client.delete_function(FunctionName="fn")
    finally:
        del recorder.errors["DeleteFunction"]
    assert raised.value.response["Error"]["Message"] == "Function not found: fn"
    assert raised.value.response["Type"] == "User"
    client.get_policy(FunctionName="team/fn")  # an encoded slash in a label reaches us still encoded
    assert recorder.seen["GetPolicy"] == {"FunctionName": "team/fn"}


async def test_a_request_signed_for_the_service_on_no_route_of_it_gets_its_protocols_error(
    gateway: Gateway,
) -> None:
    credential = "AKIDEXAMPLE/20261203/us-east-1/lambda/aws4_request"
    signed = {"authorization": f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=0"}
    response = await gateway.handle(HttpRequest("GET", "http", "/2015-03-31/nothing-here", "", signed, b""))
    assert (response.status, response.headers["x-amzn-errortype"]) == (404, "UnknownOperationException")
    parsed = parsed_reply(response, None)
    assert parsed["Error"]["Code"] == "UnknownOperationException"


@pytest.mark.parametrize("route", LAMBDA_ROUTES, ids=lambda route: f"{route.operation}:{route.path}")
def test_each_lambda_route_is_its_operation_in_botocores_model(route: Route) -> None:
    """Method, path, status and where every query and header member travels, as the model says: a member the
    route forgets (Qualifier on AddPermission, once) would silently not reach the operation."""
    modelled = route_of(LAMBDA.operation_model(route.operation))
    assert (route.method, route.path.rstrip("/"), route.status) == (
        modelled.method,
        modelled.path.rstrip("/"),
        modelled.status,
    )
    assert (dict(route.query), dict(route.headers)) == (dict(modelled.query), dict(modelled.headers))
