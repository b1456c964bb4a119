"""Dead-letter queues and redrive, including the seed's end-to-end scenario."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.conftest import error_of

REDRIVE_SECONDS = 300
SLOW_MOVE_MESSAGES = 5
"""How long a one-message redrive may take: a moment on Posthouse; AWS may take minutes to start a task."""


def arn_of(sqs: BaseClient, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def with_dead_letters(sqs: BaseClient, make_queue: Callable[..., str], max_receives: int) -> tuple[str, str]:
    dead_letters = make_queue("dlq")
    policy = {"deadLetterTargetArn": arn_of(sqs, dead_letters), "maxReceiveCount": max_receives}
    return make_queue("src", RedrivePolicy=json.dumps(policy), VisibilityTimeout="1"), dead_letters


def receive(sqs: BaseClient, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Long-poll briefly: on AWS a short poll may miss messages that are there."""
    kwargs.setdefault("WaitTimeSeconds", 1)
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], **kwargs
    ).get("Messages", [])
    return messages


def test_moved_after_max_receive_count(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A message received maxReceiveCount times moves to the DLQ on the next receive, with its MessageId"""
    source, dead_letters = with_dead_letters(sqs, make_queue, 2)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        assert len(receive(sqs, source, VisibilityTimeout=0)) == 1
    assert receive(sqs, source, VisibilityTimeout=0) == []
    (moved,) = receive(sqs, dead_letters, WaitTimeSeconds=5)
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)


def test_dead_letter_source_queues(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """ListDeadLetterSourceQueues lists the queues whose RedrivePolicy names the DLQ"""
    source, dead_letters = with_dead_letters(sqs, make_queue, 3)
    assert sqs.list_dead_letter_source_queues(QueueUrl=dead_letters)["queueUrls"] == [source]


def test_redrive_allow_policy_deny_all(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A DLQ whose RedriveAllowPolicy denies all cannot be named in a RedrivePolicy"""
    dead_letters = make_queue("deny", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dead_letters), "maxReceiveCount": 1})
    with pytest.raises(ClientError) as excinfo:
        make_queue("src", RedrivePolicy=policy)
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_move_task_needs_a_dead_letter_queue(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """StartMessageMoveTask on a queue that is no DLQ is InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, make_queue()))
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def sum_values(body: str) -> int:
    """The seed's consumer: adds two numbers. `{"value1": "10", "value2": 5}` breaks it."""
    values = json.loads(body)
    return values["value1"] + values["value2"]  # type: ignore[no-any-return]


def fixed_sum_values(body: str) -> int:
    values = json.loads(body)
    return int(values["value1"]) + int(values["value2"])


def consume(sqs: BaseClient, url: str, handler: Callable[[str], int], results: list[int]) -> None:
    """One poll of a plain consumer: handle each message, delete it on success, leave it on failure."""
    for message in receive(sqs, url):
        try:
            results.append(handler(message["Body"]))
        except (TypeError, ValueError):
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
            continue
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_seed_redrive_scenario(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A malformed message fails the consumer, lands in the DLQ, is redriven at a set rate and processed"""
    source, dead_letters = with_dead_letters(sqs, make_queue, 3)
    sqs.send_message(QueueUrl=source, MessageBody=json.dumps({"value1": 1, "value2": 2}))
    sqs.send_message(QueueUrl=source, MessageBody=json.dumps({"value1": "10", "value2": 5}))
    results: list[int] = []
    for _ in range(5):  # three failed receives, then the next receive moves it
        consume(sqs, source, sum_values, results)
    assert results == [3]
    (poison,) = receive(sqs, dead_letters, WaitTimeSeconds=5, VisibilityTimeout=0)
    assert json.loads(poison["Body"]) == {"value1": "10", "value2": 5}
    assert poison["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)

    dead_letter_arn = arn_of(sqs, dead_letters)
    sqs.start_message_move_task(SourceArn=dead_letter_arn, MaxNumberOfMessagesPerSecond=10)
    deadline = time.monotonic() + REDRIVE_SECONDS
    while (task := sqs.list_message_move_tasks(SourceArn=dead_letter_arn)["Results"][0])[
        "Status"
    ] == "RUNNING":
        assert time.monotonic() < deadline, task
        time.sleep(0.1)
    assert (
        task["Status"],
        task["ApproximateNumberOfMessagesMoved"],
        task["MaxNumberOfMessagesPerSecond"],
    ) == (
        "COMPLETED",
        1,
        10,
    )
    for _ in range(3):
        consume(sqs, source, fixed_sum_values, results)
    assert results == [3, 15]


def test_move_task_listing(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """ListMessageMoveTasks shows a running task with its handle, rate, counts and start time in ms"""
    source, dead_letters = with_dead_letters(sqs, make_queue, 1)
    for n in range(SLOW_MOVE_MESSAGES):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{n}")
    while receive(sqs, source, VisibilityTimeout=0):
        pass
    dead_letter_arn = arn_of(sqs, dead_letters)
    # One message a second: the task is still running when listed.
    handle = sqs.start_message_move_task(SourceArn=dead_letter_arn, MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"
    ]
    task = sqs.list_message_move_tasks(SourceArn=dead_letter_arn)["Results"][0]
    sqs.cancel_message_move_task(TaskHandle=handle)
    assert (task["Status"], task["TaskHandle"], task["SourceArn"]) == ("RUNNING", handle, dead_letter_arn)
    assert task["MaxNumberOfMessagesPerSecond"] == 1 and "DestinationArn" not in task
    # Approximate on AWS: at most what the queue held.
    assert 0 < task["ApproximateNumberOfMessagesToMove"] <= SLOW_MOVE_MESSAGES
    assert abs(task["StartedTimestamp"] - time.time() * 1000) < 3600 * 1000
