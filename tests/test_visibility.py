"""Visibility timeouts, receipt handles and deletes, over both SQS protocols."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.harness import ServerProcess


def receive_one(sqs: BaseClient, url: str, **kwargs: object) -> dict[str, Any]:
    messages = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"], **kwargs).get(
        "Messages", []
    )
    assert len(messages) == 1
    message: dict[str, Any] = messages[0]
    return message


def test_message_reappears_after_visibility_timeout(
    sqs: BaseClient, make_queue: Callable[..., str], server: ServerProcess
) -> None:
    url = make_queue(VisibilityTimeout="60")
    sqs.send_message(QueueUrl=url, MessageBody="m")
    receive_one(sqs, url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    server.advance(59)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    server.advance(2)
    assert receive_one(sqs, url)["Attributes"]["ApproximateReceiveCount"] == "2"


def test_receive_visibility_overrides_queue_default(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    receive_one(sqs, queue_url, VisibilityTimeout=5)
    server.advance(4)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)  # the queue's default is 30 s, not 5
    server.advance(2)
    receive_one(sqs, queue_url)


def test_change_visibility_counts_from_now(sqs: BaseClient, queue_url: str, server: ServerProcess) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    handle = receive_one(sqs, queue_url)["ReceiptHandle"]
    server.advance(20)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=100)
    server.advance(90)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    server.advance(11)
    receive_one(sqs, queue_url)


def test_change_visibility_to_zero_releases(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    handle = receive_one(sqs, queue_url)["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert receive_one(sqs, queue_url)["Attributes"]["ApproximateReceiveCount"] == "2"


def test_change_visibility_after_expiry_but_before_next_receive(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    handle = receive_one(sqs, queue_url, VisibilityTimeout=1)["ReceiptHandle"]
    server.advance(5)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=60)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)


def test_change_visibility_with_an_older_handle_applies_to_the_message(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    old = receive_one(sqs, queue_url, VisibilityTimeout=1)["ReceiptHandle"]
    server.advance(2)
    receive_one(sqs, queue_url, VisibilityTimeout=600)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=old, VisibilityTimeout=0)
    assert receive_one(sqs, queue_url)["Attributes"]["ApproximateReceiveCount"] == "3"


def test_change_visibility_of_deleted_message(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    handle = receive_one(sqs, queue_url)["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=10)
    assert error_of(excinfo)["Message"] == (
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not"
        " available for visibility timeout change."
    )


def test_visibility_cannot_exceed_twelve_hours_from_receive(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    handle = receive_one(sqs, queue_url)["ReceiptHandle"]
    server.advance(3600)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=39_590)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=39_610)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=43_201)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize("handle", ["garbage", "AQEB+/=", "MTox"])
def test_malformed_receipt_handles(sqs: BaseClient, queue_url: str, handle: str) -> None:
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as excinfo:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    error = error_of(excinfo)
    assert error["Code"] == "ReceiptHandleIsInvalid"
    assert error["Message"] == f'The input receipt handle "{handle}" is not a valid receipt handle.'
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=1)


def test_delete_with_an_older_handle_still_deletes(
    sqs: BaseClient, queue_url: str, server: ServerProcess
) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="m")
    old = receive_one(sqs, queue_url, VisibilityTimeout=1)["ReceiptHandle"]
    server.advance(2)
    receive_one(sqs, queue_url, VisibilityTimeout=1)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=old)
    server.advance(2)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)


def test_missing_receipt_handle(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle="")
    assert error_of(excinfo)["Code"] == "MissingParameter"
