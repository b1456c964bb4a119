"""Messages: send, receive, delete, digests, attributes, limits, batches and their errors."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.conftest import error_of

BATCH = "AWS.SimpleQueueService."
HELP = {
    "Help.Me": {"DataType": "String", "StringValue": "Me"},
    "Hello": {"DataType": "String", "StringValue": "There"},
    "General": {"DataType": "String", "StringValue": "Kenobi"},
}


def receive_one(sqs: BaseClient, url: str, **kwargs: Any) -> dict[str, Any]:
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, **kwargs).get("Messages", [])
    assert len(messages) == 1, messages
    message: dict[str, Any] = messages[0]
    return message


def test_send_receive_delete(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A message is sent, received once with its digest and a receipt handle, and deleted"""
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="msg")
    assert sent["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7" == hashlib.md5(b"msg").hexdigest()
    message = receive_one(sqs, url)
    assert (message["MessageId"], message["Body"], message["MD5OfBody"]) == (
        sent["MessageId"],
        "msg",
        sent["MD5OfMessageBody"],
    )
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_message_attribute_digests(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """MD5OfMessageAttributes matches AWS's recorded values, for all attributes and for a selected subset"""
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=HELP)
    assert sent["MD5OfMessageAttributes"] == "4c360f3fdafd970e05fae2f149d997f5"
    message = receive_one(sqs, url, MessageAttributeNames=["Hello", "General"], VisibilityTimeout=0)
    assert message["MD5OfMessageAttributes"] == "fca026605781cb4126a1e9044df24232"
    message = receive_one(sqs, url, MessageAttributeNames=["He.*"])
    assert set(message["MessageAttributes"]) == {"Hello", "Help.Me"}
    assert message["MD5OfMessageAttributes"] == "83fee93c1bcd8b9a5a923ffacdc636c7"


def test_system_attribute_digest(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """MD5OfMessageSystemAttributes matches AWS's recorded value, and AWSTraceHeader comes back"""
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    url = make_queue()
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="msg",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": header}},
    )
    assert sent["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    message = receive_one(sqs, url, AttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": header}


def test_system_attributes_on_receive(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """Receiving with All returns exactly the standard queue's system attributes"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="msg")
    attributes = receive_one(sqs, url, AttributeNames=["All"])["Attributes"]
    expected = {"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}
    assert set(attributes) == expected
    assert attributes["ApproximateReceiveCount"] == "1"


def test_carriage_returns_survive(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A body with \\r, \\r\\n and non-ASCII text comes back byte for byte"""
    url = make_queue()
    body = "a\r\nb\rc ✓ 🚀 <&>"
    sqs.send_message(QueueUrl=url, MessageBody=body)
    message = receive_one(sqs, url)
    assert message["Body"] == body
    assert message["MD5OfBody"] == hashlib.md5(body.encode()).hexdigest()


def test_too_large(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A message over the queue's MaximumMessageSize is InvalidParameterValue"""
    url = make_queue(MaximumMessageSize="1024")
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_invalid_characters(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A body with a character outside XML's range is InvalidMessageContents"""
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=make_queue(), MessageBody="bad \x08 char")
    assert error_of(excinfo) == ("InvalidMessageContents", 400)


@pytest.mark.parametrize(
    ("parameter", "value"), [("MaxNumberOfMessages", 11), ("MaxNumberOfMessages", 0), ("WaitTimeSeconds", 21)]
)
def test_receive_parameter_limits(
    sqs: BaseClient, make_queue: Callable[..., str], parameter: str, value: int
) -> None:
    """ReceiveMessage parameters out of range are InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=make_queue(), **{parameter: value})
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_malformed_receipt_handle(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A malformed receipt handle is ReceiptHandleIsInvalid"""
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=make_queue(), ReceiptHandle="garbage")
    assert error_of(excinfo) == ("ReceiptHandleIsInvalid", 400)


def test_delete_is_idempotent(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """Deleting with the same receipt handle twice succeeds"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = receive_one(sqs, url)["ReceiptHandle"]
    replies = [sqs.delete_message(QueueUrl=url, ReceiptHandle=handle) for _ in range(2)]
    assert [reply["ResponseMetadata"]["HTTPStatusCode"] for reply in replies] == [200, 200]


def test_change_visibility_of_deleted_message(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """ChangeMessageVisibility of a deleted message is InvalidParameterValue"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = receive_one(sqs, url)["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10)
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_batch_partial_failure(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A batch reports a bad entry in Failed and sends the rest"""
    entries = [{"Id": "a", "MessageBody": "a"}, {"Id": "b", "MessageBody": "bad \x00"}]
    result = sqs.send_message_batch(QueueUrl=make_queue(), Entries=entries)
    assert [(e["Id"], e["MD5OfMessageBody"]) for e in result["Successful"]] == [
        ("a", "0cc175b9c0f1b6a831c399e269772661")
    ]
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in result["Failed"]] == [
        ("b", "InvalidMessageContents", True)
    ]


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        (
            [{"Id": str(i), "MessageBody": "m"} for i in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        ),
        ([{"Id": "same", "MessageBody": "m"}] * 2, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
        ([{"Id": "bad id!", "MessageBody": "m"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        (
            [{"Id": str(i), "MessageBody": "x" * 300_000} for i in range(4)],
            "AWS.SimpleQueueService.BatchRequestTooLong",
        ),
    ],
    ids=["too-many", "ids-not-distinct", "bad-id", "too-long"],
)
def test_batch_request_errors(
    sqs: BaseClient, make_queue: Callable[..., str], entries: list[dict[str, str]], code: str
) -> None:
    """A malformed batch request fails whole with the matching batch error code"""
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=make_queue(), Entries=entries)
    assert error_of(excinfo) == (code, 400)


@pytest.mark.parametrize("name", ["AWS.reserved", "amazon.x", ".leading", "trailing.", "two..dots", "sp ace"])
def test_message_attribute_name_rules(sqs: BaseClient, make_queue: Callable[..., str], name: str) -> None:
    """A message attribute name that is reserved or malformed is InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=make_queue(),
            MessageBody="m",
            MessageAttributes={name: {"DataType": "String", "StringValue": "v"}},
        )
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_queue_wait_time_is_the_default_long_poll(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A receive without WaitTimeSeconds long-polls for the queue's ReceiveMessageWaitTimeSeconds"""
    url = make_queue(ReceiveMessageWaitTimeSeconds="1")
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert 0.9 <= time.monotonic() - started < 5
