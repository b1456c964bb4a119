"""Sending and receiving messages, over both SQS protocols, against a live server."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError, ReadTimeoutError

from conformance.clients import sqs_client
from tests.conftest import error_of
from tests.harness import ServerProcess

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def receive_all(sqs: BaseClient, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get(
        "Messages", []
    )
    return messages


def test_send_receive_delete_with_digests(sqs: BaseClient, queue_url: str) -> None:
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="msg",
        MessageAttributes={"Foo": {"DataType": "String", "StringValue": "Bar"}},
    )
    assert sent["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert sent["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert "MD5OfMessageSystemAttributes" not in sent
    (message,) = receive_all(sqs, queue_url, MessageAttributeNames=["All"])
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "msg"
    assert message["MD5OfBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert message["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert message["MessageAttributes"] == {"Foo": {"DataType": "String", "StringValue": "Bar"}}
    assert "Attributes" not in message
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])  # idempotent
    assert (
        sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]["ApproximateNumberOfMessagesNotVisible"]
        == "0"
    )


def test_message_without_attributes_has_no_attribute_digest(sqs: BaseClient, queue_url: str) -> None:
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="plain")
    assert set(sent) - {"ResponseMetadata"} == {"MessageId", "MD5OfMessageBody"}
    (message,) = receive_all(sqs, queue_url, MessageAttributeNames=["All"])
    assert "MD5OfMessageAttributes" not in message and "MessageAttributes" not in message


def test_empty_receive(sqs: BaseClient, queue_url: str) -> None:
    response = sqs.receive_message(QueueUrl=queue_url)
    assert "Messages" not in response


def test_attribute_name_filters_and_digest_of_what_is_returned(sqs: BaseClient, queue_url: str) -> None:
    def s(value: str) -> dict[str, str]:
        return {"DataType": "String", "StringValue": value}

    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="x",
        MessageAttributes={"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")},
    )
    cases = [
        (["All"], {"Help.Me", "Hello", "General"}, "4c360f3fdafd970e05fae2f149d997f5"),
        ([".*"], {"Help.Me", "Hello", "General"}, "4c360f3fdafd970e05fae2f149d997f5"),
        (["Hello", "General"], {"Hello", "General"}, "fca026605781cb4126a1e9044df24232"),
        (["Hello", "Nope", "AWS."], {"Hello"}, "a311262e065454b75da111d535b8dacd"),
        (["Hel.*"], {"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
        (["hello"], set(), None),
    ]
    for names, expected, digest in cases:
        (message,) = receive_all(sqs, queue_url, MessageAttributeNames=names, VisibilityTimeout=0)
        assert set(message.get("MessageAttributes", {})) == expected, names
        assert message.get("MD5OfMessageAttributes") == digest, names


def test_binary_attributes_round_trip(sqs: BaseClient, queue_url: str) -> None:
    payload = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="b",
        MessageAttributes={"attr1": {"DataType": "Binary", "BinaryValue": payload}},
    )
    assert sent["MD5OfMessageAttributes"] == "8cbe4db156db8a94db8b801b7addb984"
    (message,) = receive_all(sqs, queue_url, MessageAttributeNames=["attr1"])
    assert message["MessageAttributes"]["attr1"] == {"DataType": "Binary", "BinaryValue": payload}


def test_custom_type_labels_and_numbers(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="n",
        MessageAttributes={
            "price": {"DataType": "Number.float", "StringValue": "-12.5e3"},
            "attr.1øßä": {"DataType": "String.custom", "StringValue": "ok"},
        },
    )
    (message,) = receive_all(sqs, queue_url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"]["price"]["DataType"] == "Number.float"
    assert message["MessageAttributes"]["attr.1øßä"]["StringValue"] == "ok"


def test_system_attributes(sqs: BaseClient, queue_url: str, protocol: str, server: ServerProcess) -> None:
    sent_at = server.now_ms()
    sqs.send_message(QueueUrl=queue_url, MessageBody="s", MessageGroupId="tenant-1")
    (first,) = receive_all(sqs, queue_url, AttributeNames=["All"], VisibilityTimeout=0)
    attributes = first["Attributes"]
    assert set(attributes) == {
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
        "MessageGroupId",
    }
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["MessageGroupId"] == "tenant-1"
    assert 0 <= int(attributes["SentTimestamp"]) - sent_at < 10_000
    (second,) = receive_all(sqs, queue_url, AttributeNames=["ApproximateReceiveCount", "SequenceNumber"])
    assert second["Attributes"] == {"ApproximateReceiveCount": "2"}
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    if protocol == "json":
        sqs.change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0
        )
        (third,) = receive_all(
            sqs, queue_url, MessageSystemAttributeNames=["ApproximateFirstReceiveTimestamp"]
        )
        assert third["Attributes"] == {
            "ApproximateFirstReceiveTimestamp": attributes["ApproximateFirstReceiveTimestamp"]
        }


def test_trace_header_system_attribute(sqs: BaseClient, queue_url: str) -> None:
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="t",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}},
    )
    assert sent["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    assert "MD5OfMessageAttributes" not in sent
    (message,) = receive_all(sqs, queue_url, AttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": TRACE}


@pytest.mark.parametrize("body", ["\x00", "a\x08b", "\x13", "\ufffe", "\uffff"])
def test_invalid_body_characters(sqs: BaseClient, queue_url: str, body: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    assert error_of(excinfo)["Code"] == "InvalidMessageContents"
    assert error_of(excinfo)["Status"] == 400


def test_carriage_returns_and_markup_survive(sqs: BaseClient, queue_url: str) -> None:
    body = "a\r\nb\rc <tag attr=\"x\"> & 'q' \t😀 \ue000"
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    (message,) = receive_all(sqs, queue_url)
    assert message["Body"] == body
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()


def test_missing_or_empty_body(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="")
    assert error_of(excinfo)["Code"] == "MissingParameter"
    assert error_of(excinfo)["Message"] == "The request must contain the parameter MessageBody."


def test_size_limit_counts_attributes(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    url = make_queue(MaximumMessageSize="1024")
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    attribute = {"a": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 bytes
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1017, MessageAttributes=attribute)
    error = error_of(excinfo)
    assert error["Code"] == "InvalidParameterValue"
    assert (
        error["Message"]
        == "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    )
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1016, MessageAttributes=attribute)


def test_one_mebibyte_body(sqs: BaseClient, queue_url: str) -> None:
    body = "é" * (1_048_576 // 2)
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    assert receive_all(sqs, queue_url)[0]["Body"] == body
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body + "x")


@pytest.mark.parametrize(
    ("attributes", "fragment"),
    [
        (
            {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)},
            "exceeds the allowed maximum [10]",
        ),
        ({"AWS.reserved": {"DataType": "String", "StringValue": "v"}}, "AWS.reserved"),
        ({".dot": {"DataType": "String", "StringValue": "v"}}, ".dot"),
        ({"a..b": {"DataType": "String", "StringValue": "v"}}, "a..b"),
        (
            {"ErrorDetails": {"DataType": "String", "StringValue": ""}},
            "must contain a non-empty value of type 'String'",
        ),
        ({"n": {"DataType": "Number", "StringValue": "twelve"}}, "to a number"),
        ({"t": {"DataType": "Text", "StringValue": "v"}}, "type"),
        ({"b": {"DataType": "Binary", "StringValue": "v"}}, "Binary"),
    ],
)
def test_invalid_message_attributes(
    sqs: BaseClient, queue_url: str, attributes: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=attributes)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert fragment in str(error_of(excinfo)["Message"])


def test_standard_queue_rejects_deduplication_id(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageDeduplicationId="d1")
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId="has space")
    assert "MessageGroupId" in str(error_of(excinfo)["Message"])


def test_delay_per_queue_and_per_message(
    sqs: BaseClient, make_queue: Callable[..., str], server: ServerProcess
) -> None:
    url = make_queue(DelaySeconds="30", VisibilityTimeout="3600")
    sqs.send_message(QueueUrl=url, MessageBody="queue delay")
    sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
    sqs.send_message(QueueUrl=url, MessageBody="long delay", DelaySeconds=900)
    assert [m["Body"] for m in receive_all(sqs, url)] == ["no delay"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesDelayed"] == "2"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    server.advance(31)
    assert [m["Body"] for m in receive_all(sqs, url)] == ["queue delay"]
    server.advance(900)
    assert [m["Body"] for m in receive_all(sqs, url)] == ["long delay"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_receive_parameter_bounds(sqs: BaseClient, queue_url: str) -> None:
    for kwargs, message in [
        (
            {"MaxNumberOfMessages": 11},
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            {"MaxNumberOfMessages": 0},
            "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            {"WaitTimeSeconds": 21},
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        ),
        ({"VisibilityTimeout": 43201}, None),
    ]:
        with pytest.raises(ClientError) as excinfo:
            sqs.receive_message(QueueUrl=queue_url, **kwargs)
        assert error_of(excinfo)["Code"] == "InvalidParameterValue"
        if message:
            assert error_of(excinfo)["Message"] == message


def test_receive_up_to_ten(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message_batch(
        QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(10)]
    )
    sqs.send_message_batch(
        QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(5)]
    )
    assert len(receive_all(sqs, queue_url)) == 10
    assert len(receive_all(sqs, queue_url)) == 5
    assert len(sqs.receive_message(QueueUrl=queue_url).get("Messages", [])) == 0


def test_long_poll_returns_when_a_message_arrives(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    got: list[Any] = []

    def poll() -> None:
        got.append(sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20))

    poller = threading.Thread(target=poll)
    started = time.monotonic()
    poller.start()
    server.wait_for_parked_receives(queue_url)
    sqs.send_message(QueueUrl=queue_url, MessageBody="wake up")
    poller.join(10)
    assert not poller.is_alive()
    assert got[0]["Messages"][0]["Body"] == "wake up"
    assert time.monotonic() - started < 5


def test_long_poll_ends_at_its_wait_time(sqs: BaseClient, queue_url: str, server: ServerProcess) -> None:
    got: list[Any] = []
    poller = threading.Thread(
        target=lambda: got.append(sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20))
    )
    poller.start()
    server.wait_for_parked_receives(queue_url)
    assert poller.is_alive()
    server.advance(21)
    poller.join(10)
    assert not poller.is_alive()
    assert "Messages" not in got[0]


def test_long_poll_wakes_for_a_delayed_message(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="later", DelaySeconds=10)
    got: list[Any] = []
    poller = threading.Thread(
        target=lambda: got.append(sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20))
    )
    poller.start()
    server.wait_for_parked_receives(queue_url)
    server.advance(11)
    poller.join(10)
    assert got[0]["Messages"][0]["Body"] == "later"


def test_queue_default_wait_time(
    sqs: BaseClient, make_queue: Callable[..., str], server: ServerProcess
) -> None:
    url = make_queue(ReceiveMessageWaitTimeSeconds="20")
    got: list[Any] = []
    poller = threading.Thread(target=lambda: got.append(sqs.receive_message(QueueUrl=url)))
    poller.start()
    server.wait_for_parked_receives(url)
    assert poller.is_alive()  # the queue's default makes it a long poll
    sqs.send_message(QueueUrl=url, MessageBody="x")
    poller.join(10)
    assert got[0]["Messages"][0]["Body"] == "x"
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)


def test_retention_period_expires_messages(
    sqs: BaseClient, make_queue: Callable[..., str], server: ServerProcess
) -> None:
    url = make_queue(MessageRetentionPeriod="60")
    sqs.send_message(QueueUrl=url, MessageBody="old")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)  # in flight messages expire too
    sqs.send_message(QueueUrl=url, MessageBody="old too")
    server.advance(61)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        "1",
        "0",
    )
    assert [m["Body"] for m in receive_all(sqs, url)] == ["new"]


def test_deleting_a_queue_releases_its_long_polls(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    got: list[Any] = []

    def poll() -> None:
        try:
            got.append(sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20))
        except ClientError as error:
            got.append(error)

    poller = threading.Thread(target=poll)
    poller.start()
    server.wait_for_parked_receives(queue_url)
    sqs.delete_queue(QueueUrl=queue_url)
    poller.join(10)
    assert not poller.is_alive()
    assert isinstance(got[0], sqs.exceptions.QueueDoesNotExist)


def test_a_message_released_early_wakes_a_long_poll(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="retry me")
    handle = receive_all(sqs, queue_url, VisibilityTimeout=600)[0]["ReceiptHandle"]
    got: list[Any] = []
    poller = threading.Thread(
        target=lambda: got.append(sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20))
    )
    poller.start()
    server.wait_for_parked_receives(queue_url)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    poller.join(10)
    assert not poller.is_alive()
    assert got[0]["Messages"][0]["Body"] == "retry me"


def test_xray_trace_header_becomes_aws_trace_header(
    sqs: BaseClient, queue_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Inside a Lambda function botocore passes the X-Ray trace id on as the X-Amzn-Trace-Id header.
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "handler")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="traced")
    assert "MD5OfMessageSystemAttributes" not in sent  # only system attributes in the request body count
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    (message,) = receive_all(sqs, queue_url, AttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": TRACE}


def test_a_shorter_retention_period_applies_to_waiting_messages(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="sent under the 4-day default")
    server.advance(30)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MessageRetentionPeriod": "60"})
    server.advance(31)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)


def test_a_long_poll_whose_client_hung_up_takes_no_message(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    """A consumer killed mid-poll (Ctrl-C) must not leave behind a poll that hides the next message."""
    gone = sqs_client(server.url, "json", config=BotoConfig(read_timeout=1, retries={"max_attempts": 1}))
    with pytest.raises(ReadTimeoutError):
        gone.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)  # the client gives up after 1 s
    sqs.send_message(QueueUrl=queue_url, MessageBody="for a live consumer")
    assert receive_all(sqs, queue_url)[0]["Body"] == "for a live consumer"
