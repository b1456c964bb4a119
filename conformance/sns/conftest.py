"""SNS fixtures: clients, topics and queues made for a check and deleted after it. Queues carry the policy
that lets their topic send to them, as AWS requires, so every check runs against AWS too."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from conformance.clients import sns_client
from conformance.conftest import Endpoint


@pytest.fixture
def sns(endpoint: Endpoint) -> BaseClient:
    return sns_client(endpoint.url, endpoint.region, **endpoint.credentials)


@pytest.fixture
def queues(endpoint: Endpoint) -> BaseClient:
    return endpoint.client("json")


@pytest.fixture
def make_topic(sns: BaseClient) -> Iterator[Callable[..., str]]:
    created: list[str] = []

    def make(fifo: bool = False, **attributes: str) -> str:
        name = f"conf-{uuid.uuid4().hex[:12]}" + (".fifo" if fifo else "")
        if fifo:
            attributes = {"FifoTopic": "true", **attributes}
        arn: str = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        created.append(arn)
        return arn

    yield make
    for arn in created:
        sns.delete_topic(TopicArn=arn)


@pytest.fixture
def subscribed_queue(
    sns: BaseClient, queues: BaseClient, endpoint: Endpoint
) -> Iterator[Callable[..., tuple[str, str]]]:
    """A new queue subscribed to a topic: (its URL, the subscription ARN)."""
    created: list[str] = []

    def make(topic: str, fifo: bool = False, **subscription_attributes: str) -> tuple[str, str]:
        name = f"conf-{uuid.uuid4().hex[:12]}" + (".fifo" if fifo else "")
        url: str = queues.create_queue(QueueName=name, Attributes={"FifoQueue": "true"} if fifo else {})[
            "QueueUrl"
        ]
        created.append(url)
        arn = queues.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ],
        }
        queues.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        subscription: str = sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=subscription_attributes
        )["SubscriptionArn"]
        return url, subscription

    yield make
    for url in created:
        with contextlib.suppress(queues.exceptions.QueueDoesNotExist):
            queues.delete_queue(QueueUrl=url)


def receive(queues: BaseClient, url: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    """Receive until `count` messages came (AWS delivers within moments; Posthouse before Publish answers),
    then make sure no more are waiting."""
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        messages += queues.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
    assert len(messages) == count, [m["Body"][:200] for m in messages]
    assert not queues.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages")
    return messages
