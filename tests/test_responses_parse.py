"""Whatever text a caller sends, every answer parses in both protocols: a value stored through JSON comes
back through the query protocol, and an error quoting bad input is still XML. (Before: control characters
made botocore raise ResponseParserError, even for a SendMessageBatch that had stored some entries.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.clients import sqs_client
from tests.harness import ServerProcess

# Any text a client can encode (no lone surrogates), control characters and U+FFFE/U+FFFF weighted in.
_nasty = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff", "\r", "<&>"])
_text = st.lists(st.one_of(_nasty, st.characters(blacklist_categories=["Cs"])), min_size=1, max_size=12).map(
    "".join
)
_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def clients(server: ServerProcess) -> dict[str, BaseClient]:
    return {protocol: sqs_client(server.url, protocol) for protocol in ("json", "query")}


def answers(call: Callable[[], Any]) -> Any:
    """The call's result, or its AWS error: anything else (a ResponseParserError) fails the test."""
    try:
        return call()
    except ClientError as error:
        assert error.response["Error"]["Code"], error.response
        return error.response


def fresh_queue(client: BaseClient) -> str:
    url: str = client.create_queue(QueueName=f"parse-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    return url


@_SETTINGS
@given(key=_text, value=_text)
def test_tags_stored_through_json_list_through_query(
    clients: dict[str, BaseClient], key: str, value: str
) -> None:
    url = fresh_queue(clients["json"])
    answers(lambda: clients["json"].tag_queue(QueueUrl=url, Tags={key: value}))
    listed = answers(lambda: clients["query"].list_queue_tags(QueueUrl=url))
    assert listed.get("Tags", {}) in ({}, {key: value})


@_SETTINGS
@given(value=_text)
def test_attributes_stored_through_json_read_through_query(
    clients: dict[str, BaseClient], value: str
) -> None:
    url = fresh_queue(clients["json"])
    answers(lambda: clients["json"].set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": value}))
    got = answers(lambda: clients["query"].get_queue_attributes(QueueUrl=url, AttributeNames=["All"]))
    assert got["Attributes"].get("KmsMasterKeyId") in (None, value)


@_SETTINGS
@given(entry_id=_text, body=_text, protocol=st.sampled_from(["json", "query"]))
def test_batch_replies_parse_whatever_the_entries(
    clients: dict[str, BaseClient], entry_id: str, body: str, protocol: str
) -> None:
    client = clients[protocol]
    url = fresh_queue(client)
    entries = [{"Id": "fine", "MessageBody": "fine"}, {"Id": entry_id, "MessageBody": body}]
    reply = answers(lambda: client.send_message_batch(QueueUrl=url, Entries=entries))
    if "Successful" in reply or "Failed" in reply:
        stored = sorted(e["Id"] for e in reply.get("Successful", []))
        received = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        assert len(received) == len(stored)  # the reply says exactly what was stored


@_SETTINGS
@given(name=_text, protocol=st.sampled_from(["json", "query"]))
def test_errors_quoting_bad_input_parse(clients: dict[str, BaseClient], name: str, protocol: str) -> None:
    client = clients[protocol]
    answers(lambda: client.get_queue_url(QueueName=name))
    answers(lambda: client.create_queue(QueueName=name, Attributes={"DelaySeconds": name}))
