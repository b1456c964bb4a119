"""LocalStack's developer endpoints, answered in LocalStack's shapes so tests written against it pass here:
`/_aws/sqs/messages` lists a queue's messages without side effects (XML, JSON, path form, invisible and delayed
messages on request) and serves an SDK pointed at it, in both SQS protocols."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
import xmltodict
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import sqs_client
from tests.harness import ServerProcess
from tests.test_sns_topics import unique

MESSAGES = "/_aws/sqs/messages"


def _get(server: ServerProcess, path: str, as_json: bool = True) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.url + path, headers={"Accept": "application/json"} if as_json else {}
    )
    try:
        with urllib.request.urlopen(request) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, json.loads(body) if as_json else xmltodict.parse(body)


def _listed(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["ReceiveMessageResponse"]["ReceiveMessageResult"] or {}
    messages = found.get("Message", [])
    return messages if isinstance(messages, list) else [messages]  # one message is not a list, as in XML


def _attributes(message: dict[str, Any]) -> dict[str, str]:
    attributes = message["Attribute"]
    return {a["Name"]: a["Value"] for a in (attributes if isinstance(attributes, list) else [attributes])}


@pytest.fixture
def queue(server: ServerProcess) -> tuple[BaseClient, str]:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="message-1")
    sqs.send_message(QueueUrl=url, MessageBody="message-2")
    return sqs, url


def test_listing_counts_no_receive_in_xml_or_json(
    server: ServerProcess, queue: tuple[BaseClient, str]
) -> None:
    sqs, url = queue
    query = f"{MESSAGES}?QueueUrl={urllib.parse.quote(url)}"
    _, as_xml = _get(server, query, as_json=False)
    assert [_attributes(m)["ApproximateReceiveCount"] for m in _listed(as_xml)] == ["0", "0"]
    received = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, AttributeNames=["All"])["Messages"]
    assert received[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    _, as_json = _get(server, query)
    messages = _listed(as_json)
    assert [m["Body"] for m in messages] == ["message-1", "message-2"]
    assert messages[0]["MD5OfBody"] == "3d6b824fd8c1520e9a047d21fee6fb1f"
    assert [_attributes(m)["ApproximateReceiveCount"] for m in messages] == ["1", "0"]
    assert {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(_attributes(messages[1]))


def test_invisible_and_delayed_messages_only_on_request(
    server: ServerProcess, queue: tuple[BaseClient, str]
) -> None:
    sqs, url = queue
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)  # message-1 is now in flight
    sqs.send_message(QueueUrl=url, MessageBody="message-3", DelaySeconds=10)
    query = f"{MESSAGES}?QueueUrl={urllib.parse.quote(url)}"
    assert [m["Body"] for m in _listed(_get(server, query)[1])] == ["message-2"]
    shown = _listed(_get(server, query + "&ShowInvisible=true&ShowDelayed=true")[1])
    assert [(m["Body"], _attributes(m)["IsVisible"], _attributes(m)["IsDelayed"]) for m in shown] == [
        ("message-1", "false", "false"),
        ("message-2", "true", "false"),
        ("message-3", "false", "true"),
    ]


def test_the_path_form_and_its_errors(server: ServerProcess, queue: tuple[BaseClient, str]) -> None:
    _, url = queue
    name = url.rsplit("/", 1)[1]
    assert len(_listed(_get(server, f"{MESSAGES}/us-east-1/000000000000/{name}")[1])) == 2
    status, document = _get(server, f"{MESSAGES}/us-east-2/000000000000/{name}")
    assert (status, document["ErrorResponse"]["Error"]["Code"]) == (
        400,
        "AWS.SimpleQueueService.NonExistentQueue",
    )
    status, document = _get(server, MESSAGES)
    assert document["ErrorResponse"]["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    status, document = _get(server, f"{MESSAGES}?QueueUrl=http://localhost:4566/nonsense")
    assert (status, document["ErrorResponse"]["Error"]["Code"]) == (404, "InvalidAddress")


@pytest.mark.parametrize("protocol", ["json", "query"])
def test_an_sdk_pointed_at_it_receives_everything(
    server: ServerProcess, queue: tuple[BaseClient, str], protocol: str
) -> None:
    sqs, url = queue
    developer = sqs_client(server.url + MESSAGES, protocol)
    messages = developer.receive_message(QueueUrl=url, MaxNumberOfMessages=1, AttributeNames=["All"])[
        "Messages"
    ]
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in messages] == [
        ("message-1", "0"),
        ("message-2", "0"),
    ]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ] == {"ApproximateNumberOfMessages": "2"}
    with pytest.raises(ClientError) as raised:
        developer.send_message(QueueUrl=url, MessageBody="not here")
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "This endpoint only accepts ReceiveMessage calls",
    )
