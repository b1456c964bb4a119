"""FIFO queues: group order and locks, deduplication, sequence numbers, required parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.conftest import error_of


def send(sqs: BaseClient, url: str, body: str, group: str = "g", **kwargs: Any) -> dict[str, Any]:
    reply: dict[str, Any] = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, **kwargs)
    return reply


def bodies(sqs: BaseClient, url: str, **kwargs: Any) -> list[str]:
    """Long-poll briefly: on AWS a short poll may miss messages that are there."""
    kwargs.setdefault("WaitTimeSeconds", 1)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])
    return [m["Body"] for m in messages]


def test_order_within_a_group(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """Messages of a group are received in send order, with increasing sequence numbers"""
    url = make_queue("o.fifo", ContentBasedDeduplication="true")
    numbers = [int(send(sqs, url, f"m{i}")["SequenceNumber"]) for i in range(5)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    assert bodies(sqs, url) == [f"m{i}" for i in range(5)]


def test_group_is_locked_while_in_flight(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """While a group has a message in flight, its next message waits and other groups are served"""
    url = make_queue("l.fifo", ContentBasedDeduplication="true")
    send(sqs, url, "a1", group="a")
    send(sqs, url, "a2", group="a")
    send(sqs, url, "b1", group="b")
    # Which group comes first is AWS's choice; each group's own order is not.
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1)["Messages"][0]
    assert first["Body"] in ("a1", "b1")
    other = ["b1"] if first["Body"] == "a1" else ["a1", "a2"]
    assert bodies(sqs, url, VisibilityTimeout=60) == other
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert bodies(sqs, url) == (["a2"] if first["Body"] == "a1" else [])


def test_deduplication(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A repeated deduplication id is accepted with the first MessageId and not delivered twice"""
    url = make_queue("d.fifo")
    first = send(sqs, url, "one", MessageDeduplicationId="same")
    again = send(sqs, url, "two", MessageDeduplicationId="same")
    assert again["MessageId"] == first["MessageId"]
    assert bodies(sqs, url) == ["one"]


def test_content_based_deduplication(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """With ContentBasedDeduplication the body is the deduplication id"""
    url = make_queue("c.fifo", ContentBasedDeduplication="true")
    assert send(sqs, url, "same")["MessageId"] == send(sqs, url, "same")["MessageId"]
    assert bodies(sqs, url) == ["same"]


def test_group_id_required(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """SendMessage to a FIFO queue without MessageGroupId is MissingParameter"""
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=make_queue("g.fifo"), MessageBody="m", MessageDeduplicationId="d")
    assert error_of(excinfo) == ("MissingParameter", 400)


def test_dedup_id_required(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """Without ContentBasedDeduplication a deduplication id is required: InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        send(sqs, make_queue("r.fifo"), "m")
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_per_message_delay_refused(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A per-message DelaySeconds on a FIFO queue is InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        send(sqs, make_queue("y.fifo", ContentBasedDeduplication="true"), "m", DelaySeconds=5)
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_fifo_name_needs_the_attribute(sqs: BaseClient, names: Callable[[str], str]) -> None:
    """A .fifo name without FifoQueue=true is InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=names("n") + ".fifo")
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_receive_attempt_retry(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """Retrying a receive with the same ReceiveRequestAttemptId returns the same messages and receipt handles"""
    url = make_queue("a.fifo", ContentBasedDeduplication="true")
    for i in range(3):
        send(sqs, url, f"m{i}", group=f"g{i}")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")[
        "Messages"
    ]
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="try-1")[
        "Messages"
    ]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first
    ]
