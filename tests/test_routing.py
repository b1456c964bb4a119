"""The gateway routes by the services' descriptors alone: JSON by target prefix; query by SigV4 scope, then
`Version`, then path, then action, and an action two services share by the resource its parameters name.
Never a silent default. Two small services stand in for SQS and SNS here (SNS does not exist yet); their
handlers only say who answered."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
import xmltodict

from server.config import Config
from server.context import RequestContext
from server.gateway import Gateway
from server.http import HttpRequest
from server.registry import Registry
from server.services.params import Params
from server.wire import QueryWire, ServiceDescriptor, XmlNames


def answered_by(name: str) -> Any:
    async def handler(service: object, params: Params, ctx: RequestContext) -> dict[str, Any]:
        return {"Service": name}

    return handler


def descriptor(name: str, version: str, resource: str, *operations: str) -> ServiceDescriptor:
    return ServiceDescriptor(
        name=name,
        signing_name=name,
        operations={operation: answered_by(name) for operation in operations},
        json_target_prefix=f"Amazon{name.title()}",
        query_compatible=name == "queues",
        query=QueryWire(version, {}, XmlNames(f"http://{name}.example/doc/{version}/", {}, {})),
        claims=lambda form: resource in form,
    )


SERVICES = [
    descriptor("queues", "2012-11-05", "QueueUrl", "AddPermission", "SendMessage"),
    descriptor("topics", "2010-03-31", "TopicArn", "AddPermission", "Publish"),
]


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    registry = Registry()
    for service in SERVICES:
        registry.add(service.name, object(), service.operations)
    return Gateway(registry, Config(), SERVICES)


def signed_by(service: str) -> dict[str, str]:
    credential = f"AKIDEXAMPLE/20261202/us-east-1/{service}/aws4_request"
    return {"authorization": f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=0"}


async def query(
    gateway: Gateway, form: dict[str, str], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    request = HttpRequest(
        "POST",
        "http",
        "/",
        "",
        {"content-type": "application/x-www-form-urlencoded", **(headers or {})},
        urlencode(form).encode(),
    )
    response = await gateway.handle(request)
    document = xmltodict.parse(response.body)
    if "ErrorResponse" in document:
        return response.status, document["ErrorResponse"]["Error"]["Code"]
    return response.status, next(iter(document.values()))[f"{form['Action']}Result"]["Service"]


@pytest.mark.parametrize(
    ("form", "headers", "expected"),
    [
        ({"Action": "Publish"}, None, "topics"),  # only one service has the action
        ({"Action": "SendMessage"}, None, "queues"),
        ({"Action": "AddPermission", "QueueUrl": "q"}, None, "queues"),  # shared: by the resource named
        ({"Action": "AddPermission", "TopicArn": "t"}, None, "topics"),
        ({"Action": "AddPermission", "Version": "2010-03-31"}, None, "topics"),  # by Version
        ({"Action": "AddPermission", "QueueUrl": "q"}, signed_by("topics"), "topics"),  # scope first
    ],
)
async def test_query_requests_reach_the_service_they_are_for(
    gateway: Gateway, form: dict[str, str], headers: dict[str, str] | None, expected: str
) -> None:
    assert await query(gateway, form, headers) == (200, expected)


@pytest.mark.parametrize(
    "form",
    [
        {"Action": "AddPermission"},  # shared, and naming neither resource: no guess
        {"Action": "DeleteEverything"},
        {"Action": "Publish", "Version": "2012-11-05"},  # the Version's service has no such action
    ],
)
async def test_query_requests_no_service_answers_are_invalid_action(
    gateway: Gateway, form: dict[str, str]
) -> None:
    assert await query(gateway, form) == (400, "InvalidAction")


async def test_json_by_target_prefix_and_query_error_header_only_where_the_service_has_one(
    gateway: Gateway,
) -> None:
    async def call(target: str) -> tuple[int, Any, dict[str, str]]:
        request = HttpRequest(
            "POST",
            "http",
            "/",
            "",
            {"x-amz-target": target, "content-type": "application/x-amz-json-1.0"},
            b"{}",
        )
        response = await gateway.handle(request)
        return response.status, orjson.loads(response.body), response.headers

    assert (await call("AmazonTopics.Publish"))[:2] == (200, {"Service": "topics"})
    status, body, headers = await call("AmazonTopics.SendMessage")
    assert (status, body["__type"].rsplit("#", 1)[-1]) == (400, "UnknownOperationException")
    assert "x-amzn-query-error" not in headers
    status, _, headers = await call("AmazonQueues.Publish")
    assert status == 400 and headers["x-amzn-query-error"] == "InvalidAction;Sender"
    assert (await call("AmazonNothing.Publish"))[0] == 400
