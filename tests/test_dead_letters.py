"""Dead-letter queues over both SQS protocols: redrive policies, the move at the right receive, sources."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.harness import ServerProcess


def arn_of(sqs: BaseClient, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def redrive(sqs: BaseClient, dead_letter_url: str, max_receives: int | str) -> str:
    return json.dumps({"deadLetterTargetArn": arn_of(sqs, dead_letter_url), "maxReceiveCount": max_receives})


def receive_all(sqs: BaseClient, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
        VisibilityTimeout=0,
        **kwargs,
    ).get("Messages", [])
    return messages


def count(sqs: BaseClient, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@pytest.mark.parametrize("max_receives", [1, 3])
def test_message_moves_on_the_receive_after_max_receive_count(
    sqs: BaseClient, make_queue: Callable[..., str], max_receives: int
) -> None:
    dead_letters = make_queue()
    source = make_queue(RedrivePolicy=redrive(sqs, dead_letters, max_receives))
    sent = sqs.send_message(
        QueueUrl=source,
        MessageBody="poison",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "bad"}},
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}},
    )
    for attempt in range(1, max_receives + 1):
        (message,) = receive_all(sqs, source)
        assert message["Attributes"]["ApproximateReceiveCount"] == str(attempt)
    assert count(sqs, dead_letters) == 0  # not one early
    assert receive_all(sqs, source) == []  # the receive after the last allowed one moves it instead
    (moved,) = receive_all(sqs, dead_letters)
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert moved["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)
    assert moved["Attributes"]["AWSTraceHeader"] == "Root=1-abc"
    # The receive that moved it did not count: it arrived with maxReceiveCount receives, and this is one more.
    assert moved["Attributes"]["ApproximateReceiveCount"] == str(max_receives + 1)


def test_receive_fills_the_room_left_by_moved_messages(
    sqs: BaseClient, make_queue: Callable[..., str]
) -> None:
    dead_letters = make_queue()
    source = make_queue(RedrivePolicy=redrive(sqs, dead_letters, 1))
    sqs.send_message(QueueUrl=source, MessageBody="old")
    receive_all(sqs, source)
    sqs.send_message(QueueUrl=source, MessageBody="new")
    # The oldest message is claimed first, moved, and the receive takes the next one in its place.
    (message,) = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=1, VisibilityTimeout=30)["Messages"]
    assert message["Body"] == "new"
    assert [m["Body"] for m in receive_all(sqs, dead_letters)] == ["old"]


def test_max_receive_count_as_string_and_removal(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    dead_letters = make_queue()
    source = make_queue(RedrivePolicy=redrive(sqs, dead_letters, "2"))
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )
    assert policy["maxReceiveCount"] == 2
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    sqs.send_message(QueueUrl=source, MessageBody="m")
    for _ in range(4):
        assert len(receive_all(sqs, source)) == 1  # no policy: never moved


@pytest.mark.parametrize("max_receives", [0, 1001, "many"])
def test_max_receive_count_range(
    sqs: BaseClient, make_queue: Callable[..., str], max_receives: object
) -> None:
    dead_letters = make_queue()
    with pytest.raises(ClientError) as excinfo:
        make_queue(RedrivePolicy=redrive(sqs, dead_letters, max_receives))  # type: ignore[arg-type]
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_dead_letter_queue_must_exist_and_match_the_type(
    sqs: BaseClient, make_queue: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    missing = json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope", "maxReceiveCount": 1}
    )
    with pytest.raises(ClientError) as excinfo:
        make_queue(RedrivePolicy=missing)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    fifo = sqs.create_queue(QueueName=unique_name("dlq") + ".fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    with pytest.raises(ClientError) as excinfo:
        make_queue(RedrivePolicy=redrive(sqs, fifo, 1))
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    assert "same type" in str(error_of(excinfo)["Message"])


def test_redrive_allow_policy_is_enforced(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    deny = make_queue(RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    with pytest.raises(ClientError) as excinfo:
        make_queue(RedrivePolicy=redrive(sqs, deny, 1))
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"

    allowed_source = make_queue()
    by_queue = make_queue(
        RedriveAllowPolicy=json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [arn_of(sqs, allowed_source)]}
        )
    )
    sqs.set_queue_attributes(QueueUrl=allowed_source, Attributes={"RedrivePolicy": redrive(sqs, by_queue, 1)})
    with pytest.raises(ClientError) as excinfo:
        make_queue(RedrivePolicy=redrive(sqs, by_queue, 1))
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"

    allow_all = make_queue(RedriveAllowPolicy=json.dumps({"redrivePermission": "allowAll"}))
    make_queue(RedrivePolicy=redrive(sqs, allow_all, 1))


@pytest.mark.parametrize(
    "policy",
    [
        {"redrivePermission": "sometimes"},
        {"redrivePermission": "byQueue"},
        {
            "redrivePermission": "byQueue",
            "sourceQueueArns": [f"arn:aws:sqs:us-east-1:000000000000:q{i}" for i in range(11)],
        },
        {"redrivePermission": "allowAll", "sourceQueueArns": ["arn:aws:sqs:us-east-1:000000000000:q"]},
    ],
)
def test_redrive_allow_policy_validation(
    sqs: BaseClient, make_queue: Callable[..., str], policy: dict[str, object]
) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_queue(RedriveAllowPolicy=json.dumps(policy))
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_list_dead_letter_source_queues_pages(
    sqs: BaseClient, make_queue: Callable[..., str], protocol: str
) -> None:
    dead_letters = make_queue()
    empty = sqs.list_dead_letter_source_queues(QueueUrl=dead_letters)
    # JSON always carries the (required) list; query's flattened XML list has nothing to show when empty.
    assert empty.get("queueUrls", []) == [] and ("queueUrls" in empty or protocol == "query")
    sources = sorted(make_queue(RedrivePolicy=redrive(sqs, dead_letters, 5)) for _ in range(3))
    make_queue()  # not a source
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dead_letters)["queueUrls"]) == sources
    first = sqs.list_dead_letter_source_queues(QueueUrl=dead_letters, MaxResults=2)
    second = sqs.list_dead_letter_source_queues(
        QueueUrl=dead_letters, MaxResults=2, NextToken=first["NextToken"]
    )
    assert first["queueUrls"] + second["queueUrls"] == sources
    assert "NextToken" not in second


def test_fifo_dead_letter_queue_keeps_group_and_order(
    sqs: BaseClient, unique_name: Callable[[str], str]
) -> None:
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    dead_letters = sqs.create_queue(QueueName=unique_name("dlq") + ".fifo", Attributes=attributes)["QueueUrl"]
    source = sqs.create_queue(
        QueueName=unique_name("src") + ".fifo",
        Attributes=attributes | {"RedrivePolicy": redrive(sqs, dead_letters, 1)},
    )["QueueUrl"]
    for body, group in (("m0", "g"), ("n0", "h"), ("m1", "g"), ("m2", "g")):
        sqs.send_message(QueueUrl=source, MessageBody=body, MessageGroupId=group)
    # A receive takes one group as far as it goes before the next, with a redrive policy too.
    assert [m["Body"] for m in receive_all(sqs, source)] == ["m0", "m1", "m2", "n0"]
    # Every message is over its limit now: all move, in order, and the group stays whole.
    assert receive_all(sqs, source) == []
    moved = [m for m in receive_all(sqs, dead_letters) if m["Attributes"]["MessageGroupId"] == "g"]
    assert [m["Body"] for m in moved] == ["m0", "m1", "m2"]


def test_dead_letter_wakes_a_long_poll_on_the_dead_letter_queue(
    sqs: BaseClient, make_queue: Callable[..., str], server: ServerProcess
) -> None:
    dead_letters = make_queue()
    source = make_queue(RedrivePolicy=redrive(sqs, dead_letters, 1))
    sqs.send_message(QueueUrl=source, MessageBody="m")
    receive_all(sqs, source)
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        poll = pool.submit(receive_all, sqs, dead_letters, WaitTimeSeconds=20)
        server.wait_for_parked_receives(dead_letters)
        receive_all(sqs, source)  # the second receive (visibility 0) moves it to the dead-letter queue
        assert [m["Body"] for m in poll.result(timeout=10)] == ["m"]
        assert time.monotonic() - started < 10  # woken by the move, not by its 20-s deadline
