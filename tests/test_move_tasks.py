"""Message move tasks (DLQ redrive) over both SQS protocols: start, list, cancel, rate, failures."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.harness import ServerProcess
from tests.test_dead_letters import arn_of, count, receive_all, redrive


def latest_task(sqs: BaseClient, source_arn: str) -> dict[str, Any]:
    task: dict[str, Any] = sqs.list_message_move_tasks(SourceArn=source_arn)["Results"][0]
    return task


def wait_for_task(sqs: BaseClient, source_arn: str, *statuses: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        task = latest_task(sqs, source_arn)
        if task["Status"] in statuses or time.monotonic() > deadline:
            return task
        time.sleep(0.02)


def dead_letter(sqs: BaseClient, source: str, dead_letters: str, bodies: list[str]) -> None:
    """Send `bodies` to `source` and receive them until they sit in `dead_letters` (maxReceiveCount 1)."""
    before = count(sqs, dead_letters)
    for body in bodies:
        sqs.send_message(QueueUrl=source, MessageBody=body)
    while receive_all(sqs, source):
        pass
    assert count(sqs, dead_letters) == before + len(bodies)


@pytest.fixture
def redrive_setup(sqs: BaseClient, make_queue: Callable[..., str]) -> tuple[str, str, str]:
    """(source, dead-letter queue, its ARN) with messages a, b, c dead-lettered."""
    dead_letters = make_queue()
    source = make_queue(RedrivePolicy=redrive(sqs, dead_letters, 1))
    dead_letter(sqs, source, dead_letters, ["a", "b", "c"])
    return source, dead_letters, arn_of(sqs, dead_letters)


def test_redrive_returns_messages_to_their_own_sources(
    sqs: BaseClient, make_queue: Callable[..., str]
) -> None:
    dead_letters = make_queue()
    first = make_queue(RedrivePolicy=redrive(sqs, dead_letters, 1))
    second = make_queue(RedrivePolicy=redrive(sqs, dead_letters, 1))
    dead_letter(sqs, first, dead_letters, ["one"])
    dead_letter(sqs, second, dead_letters, ["two", "three"])
    dead_letter_arn = arn_of(sqs, dead_letters)

    handle = sqs.start_message_move_task(SourceArn=dead_letter_arn)["TaskHandle"]
    assert json.loads(base64.b64decode(handle)) == {
        "taskId": json.loads(base64.b64decode(handle))["taskId"],
        "sourceArn": dead_letter_arn,
    }
    task = wait_for_task(sqs, dead_letter_arn, "COMPLETED")
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert "TaskHandle" not in task and "DestinationArn" not in task and "FailureReason" not in task
    assert abs(task["StartedTimestamp"] - time.time() * 1000) < 24 * 3600 * 1000  # epoch milliseconds
    assert count(sqs, dead_letters) == 0
    back = receive_all(sqs, first)
    assert [m["Body"] for m in back] == ["one"]
    assert back[0]["Attributes"]["ApproximateReceiveCount"] == "1"  # a redriven message starts afresh
    assert "DeadLetterQueueSourceArn" not in back[0]["Attributes"]
    assert sorted(m["Body"] for m in receive_all(sqs, second)) == ["three", "two"]


def test_redrive_to_a_destination(
    sqs: BaseClient, make_queue: Callable[..., str], redrive_setup: tuple[str, str, str]
) -> None:
    _, dead_letters, dead_letter_arn = redrive_setup
    destination = make_queue()
    sqs.start_message_move_task(
        SourceArn=dead_letter_arn, DestinationArn=arn_of(sqs, destination), MaxNumberOfMessagesPerSecond=100
    )
    task = wait_for_task(sqs, dead_letter_arn, "COMPLETED")
    assert task["DestinationArn"] == arn_of(sqs, destination)
    assert task["MaxNumberOfMessagesPerSecond"] == 100
    assert sorted(m["Body"] for m in receive_all(sqs, destination)) == ["a", "b", "c"]
    assert count(sqs, dead_letters) == 0


def test_rate_is_honoured(sqs: BaseClient, make_queue: Callable[..., str], server: ServerProcess) -> None:
    dead_letters = make_queue()
    source = make_queue(RedrivePolicy=redrive(sqs, dead_letters, 1))
    dead_letter(sqs, source, dead_letters, [f"m{i}" for i in range(10)])
    dead_letter_arn = arn_of(sqs, dead_letters)
    started_ms = server.now_ms()
    sqs.start_message_move_task(SourceArn=dead_letter_arn, MaxNumberOfMessagesPerSecond=2)
    for second in range(1, 4):
        server.advance(1)
        deadline = time.monotonic() + 5
        while (
            moved := latest_task(sqs, dead_letter_arn)["ApproximateNumberOfMessagesMoved"]
        ) < 2 * second - 1:
            assert time.monotonic() < deadline, f"only {moved} moved after {second} s"
            time.sleep(0.02)
        assert moved <= 2 * (server.now_ms() - started_ms) / 1000  # never ahead of the rate
    assert latest_task(sqs, dead_letter_arn)["Status"] == "RUNNING"
    for _ in range(5):  # the bucket holds one second of credit: time must pass second by second
        server.advance(1)
        if wait_for_task(sqs, dead_letter_arn, "COMPLETED", timeout=0.1)["Status"] == "COMPLETED":
            break
    assert wait_for_task(sqs, dead_letter_arn, "COMPLETED")["ApproximateNumberOfMessagesMoved"] == 10


def test_one_active_task_per_source_and_cancel(
    sqs: BaseClient, redrive_setup: tuple[str, str, str], server: ServerProcess
) -> None:
    _, dead_letters, dead_letter_arn = redrive_setup
    handle = sqs.start_message_move_task(SourceArn=dead_letter_arn, MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"
    ]
    assert latest_task(sqs, dead_letter_arn)["TaskHandle"] == handle
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dead_letter_arn)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert "Only one active task is allowed" in str(error_of(excinfo)["Message"])
    server.advance(1)
    moved_before = latest_task(sqs, dead_letter_arn)["ApproximateNumberOfMessagesMoved"]
    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    assert cancelled["ApproximateNumberOfMessagesMoved"] >= moved_before
    task = wait_for_task(sqs, dead_letter_arn, "CANCELLED")
    assert task["Status"] == "CANCELLED"
    server.advance(10)
    assert count(sqs, dead_letters) == 3 - task["ApproximateNumberOfMessagesMoved"] > 0
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    # A finished task frees the source for the next one.
    sqs.start_message_move_task(SourceArn=dead_letter_arn)
    assert wait_for_task(sqs, dead_letter_arn, "COMPLETED")["Status"] == "COMPLETED"
    history = sqs.list_message_move_tasks(SourceArn=dead_letter_arn, MaxResults=10)["Results"]
    assert [t["Status"] for t in history] == ["COMPLETED", "CANCELLED"]


def test_failed_task_names_the_reason(
    sqs: BaseClient,
    make_queue: Callable[..., str],
    redrive_setup: tuple[str, str, str],
    server: ServerProcess,
) -> None:
    _, dead_letters, dead_letter_arn = redrive_setup
    destination = make_queue()
    sqs.start_message_move_task(
        SourceArn=dead_letter_arn, DestinationArn=arn_of(sqs, destination), MaxNumberOfMessagesPerSecond=1
    )
    sqs.delete_queue(QueueUrl=destination)
    server.advance(2)
    task = wait_for_task(sqs, dead_letter_arn, "FAILED")
    assert task["Status"] == "FAILED"
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert count(sqs, dead_letters) == 3


def test_start_errors(
    sqs: BaseClient, make_queue: Callable[..., str], redrive_setup: tuple[str, str, str]
) -> None:
    source, _, dead_letter_arn = redrive_setup
    cases: list[tuple[dict[str, Any], str, int]] = [
        ({"SourceArn": arn_of(sqs, source)}, "InvalidParameterValue", 400),  # not a dead-letter queue
        ({"SourceArn": "arn:aws:sqs:us-east-1:000000000000:missing"}, "ResourceNotFoundException", 404),
        (
            {"SourceArn": dead_letter_arn, "DestinationArn": "arn:aws:sqs:us-east-1:000000000000:missing"},
            "ResourceNotFoundException",
            404,
        ),
        ({"SourceArn": dead_letter_arn, "MaxNumberOfMessagesPerSecond": 501}, "InvalidParameterValue", 400),
    ]
    for params, code, status in cases:
        with pytest.raises(ClientError) as excinfo:
            sqs.start_message_move_task(**params)
        assert (error_of(excinfo)["Code"], error_of(excinfo)["Status"]) == (code, status), params


def test_cancel_errors(sqs: BaseClient, redrive_setup: tuple[str, str, str]) -> None:
    _, _, dead_letter_arn = redrive_setup
    unknown_task = base64.b64encode(
        json.dumps({"taskId": "nope", "sourceArn": dead_letter_arn}).encode()
    ).decode()
    unknown_source = base64.b64encode(
        json.dumps({"taskId": "nope", "sourceArn": "arn:aws:sqs:us-east-1:000000000000:missing"}).encode()
    ).decode()
    cases = [
        ("not a handle", "InvalidParameterValue", "Value for parameter TaskHandle is invalid."),
        (unknown_task, "ResourceNotFoundException", "Task does not exist."),
        (
            unknown_source,
            "ResourceNotFoundException",
            "The resource that you specified for the SourceArn parameter doesn't exist.",
        ),
    ]
    for handle, code, message in cases:
        with pytest.raises(ClientError) as excinfo:
            sqs.cancel_message_move_task(TaskHandle=handle)
        assert (error_of(excinfo)["Code"], error_of(excinfo)["Message"]) == (code, message)


def test_list_tasks_limits(sqs: BaseClient, redrive_setup: tuple[str, str, str]) -> None:
    _, _, dead_letter_arn = redrive_setup
    assert sqs.list_message_move_tasks(SourceArn=dead_letter_arn).get("Results", []) == []
    with pytest.raises(ClientError) as excinfo:
        sqs.list_message_move_tasks(SourceArn=dead_letter_arn, MaxResults=11)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.list_message_move_tasks(SourceArn="arn:aws:sqs:us-east-1:000000000000:missing")
    assert error_of(excinfo)["Code"] == "ResourceNotFoundException"
