"""Batch operations: whole-request rules and per-entry failures, over both SQS protocols."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.conftest import error_of


def entries(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"Id": f"e{i}", "MessageBody": f"body {i}", **extra} for i in range(count)]


def test_send_batch_in_order_with_digests(sqs: BaseClient, queue_url: str) -> None:
    result = sqs.send_message_batch(
        QueueUrl=queue_url,
        Entries=[
            {
                "Id": "a",
                "MessageBody": "msg",
                "MessageAttributes": {"Foo": {"DataType": "String", "StringValue": "Bar"}},
            },
            {"Id": "b", "MessageBody": "second", "DelaySeconds": 0},
        ],
    )
    assert "Failed" not in result
    first, second = result["Successful"]
    assert (first["Id"], second["Id"]) == ("a", "b")
    assert first["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert first["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert "MD5OfMessageAttributes" not in second
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert {m["MessageId"] for m in received} == {first["MessageId"], second["MessageId"]}


def test_send_batch_per_entry_failures(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    url = make_queue(MaximumMessageSize="1024")
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "fine"},
            {"Id": "bad-chars", "MessageBody": "\x00"},
            {"Id": "too-big", "MessageBody": "x" * 1025},
        ],
    )
    assert [entry["Id"] for entry in result["Successful"]] == ["ok"]
    failed = {entry["Id"]: entry for entry in result["Failed"]}
    assert failed["bad-chars"]["Code"] == "InvalidMessageContents"
    assert failed["bad-chars"]["SenderFault"] is True
    assert failed["too-big"]["Code"] == "InvalidParameterValue"
    assert failed["too-big"]["Message"] == (
        "One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes."
    )
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 1


@pytest.mark.parametrize(
    ("batch", "code", "message"),
    [
        (
            entries(11),
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10. You have sent 11.",
        ),
        (
            [{"Id": "same", "MessageBody": "1"}, {"Id": "same", "MessageBody": "2"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            None,
        ),
        *(
            (
                [{"Id": bad, "MessageBody": "1"}],
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at"
                " most 80 letters long.",
            )
            for bad in ("bad id!", "", "x" * 81)  # an empty id is invalid, not missing
        ),
    ],
)
def test_send_batch_whole_request_errors(
    sqs: BaseClient, queue_url: str, batch: list[dict[str, Any]], code: str, message: str | None
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    assert error_of(excinfo)["Code"] == code
    assert error_of(excinfo)["Status"] == 400
    if message:
        assert error_of(excinfo)["Message"] == message
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)


def test_empty_batch(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=[])
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.EmptyBatchRequest"


def test_batch_total_size_limit(sqs: BaseClient, queue_url: str) -> None:
    big = "x" * 200_000
    batch = [{"Id": f"e{i}", "MessageBody": big} for i in range(5)] + [
        {"Id": "last", "MessageBody": "x" * 48_577}
    ]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert error_of(excinfo)["Message"] == (
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."
    )
    batch[-1]["MessageBody"] = "x" * 48_576
    assert len(sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)["Successful"]) == 6


def test_delete_batch(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message_batch(QueueUrl=queue_url, Entries=entries(3))
    handles = [
        m["ReceiptHandle"]
        for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    ]
    result = sqs.delete_message_batch(
        QueueUrl=queue_url,
        Entries=[
            *({"Id": f"d{i}", "ReceiptHandle": h} for i, h in enumerate(handles)),
            {"Id": "junk", "ReceiptHandle": "garbage"},
        ],
    )
    assert sorted(entry["Id"] for entry in result["Successful"]) == ["d0", "d1", "d2"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [
        ("junk", "ReceiptHandleIsInvalid", True)
    ]
    counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": "x", "ReceiptHandle": h} for h in handles[:2]]
        )
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


def test_change_visibility_batch(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message_batch(QueueUrl=queue_url, Entries=entries(2))
    first, second = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=second["ReceiptHandle"])
    result = sqs.change_message_visibility_batch(
        QueueUrl=queue_url,
        Entries=[
            {"Id": "release", "ReceiptHandle": first["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "deleted", "ReceiptHandle": second["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "too-long", "ReceiptHandle": first["ReceiptHandle"], "VisibilityTimeout": 50_000},
        ],
    )
    assert [entry["Id"] for entry in result["Successful"]] == ["release"]
    assert {f["Id"]: f["Code"] for f in result["Failed"]} == {
        "deleted": "InvalidParameterValue",
        "too-long": "InvalidParameterValue",
    }
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["MessageId"] == first["MessageId"]
