"""Time: visibility timeouts, delays and long polls. Checks that move time need a controllable clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient

from conformance.conftest import Endpoint
from conformance.sqs.test_messages import receive_one


def count_received(sqs: BaseClient, url: str) -> int:
    return len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))


@pytest.mark.needs_clock
def test_visibility_timeout(
    sqs: BaseClient, make_queue: Callable[..., str], clock: Callable[[float], None]
) -> None:
    """A received message is invisible for the visibility timeout, then comes back with a higher receive count"""
    url = make_queue(VisibilityTimeout="60")
    sqs.send_message(QueueUrl=url, MessageBody="m")
    receive_one(sqs, url)
    clock(59)
    assert count_received(sqs, url) == 0
    clock(2)
    again = receive_one(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


@pytest.mark.needs_clock
def test_delay(sqs: BaseClient, make_queue: Callable[..., str], clock: Callable[[float], None]) -> None:
    """A delayed message counts as delayed and is received only after its delay"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=30)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert count_received(sqs, url) == 0
    clock(31)
    receive_one(sqs, url)


def test_change_visibility_to_zero(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """ChangeMessageVisibility to 0 makes a received message visible at once"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = receive_one(sqs, url)["ReceiptHandle"]
    assert count_received(sqs, url) == 0
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    receive_one(sqs, url)


def test_short_poll_on_empty_queue(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A receive without WaitTimeSeconds on an empty queue answers at once with no messages"""
    url = make_queue()
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert time.monotonic() - started < 1


def test_long_poll_returns_when_a_message_arrives(
    sqs: BaseClient, make_queue: Callable[..., str], endpoint: Endpoint
) -> None:
    """A long poll answers as soon as a message is sent, well before its wait time"""
    url = make_queue()
    got: list[dict[str, Any]] = []
    poller = threading.Thread(
        target=lambda: got.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20))
    )
    started = time.monotonic()
    poller.start()
    endpoint.wait_until_parked(url)
    sqs.send_message(QueueUrl=url, MessageBody="wake up")
    poller.join(25)
    assert got[0]["Messages"][0]["Body"] == "wake up"
    assert time.monotonic() - started < 10
