"""Posthouse's admin API beside the SQS API (skipped against other endpoints)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.client import BaseClient

from conformance.conftest import Endpoint

pytestmark = pytest.mark.needs_admin


def test_peek_does_not_receive(sqs: BaseClient, make_queue: Callable[..., str], endpoint: Endpoint) -> None:
    """The admin peek shows a queue's messages without receiving them"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="inspect me")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _, _, _, region, account, name = arn.split(":")
    peeked = endpoint.admin(f"/admin/sqs/queues/{account}/{region}/{name}/messages")
    assert peeked is not None
    assert [(m["body"], m["receive_count"]) for m in peeked["messages"]] == [("inspect me", 0)]
    received = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert received[0]["Attributes"]["ApproximateReceiveCount"] == "1"
