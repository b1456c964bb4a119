"""Queues: creation, attributes with their defaults and limits, lookup, listing, tags."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.conftest import error_of

LISTING_DELAY_S = 60  # how long AWS may take to list a new queue
PURGE_DELAY_S = 60  # AWS: "the message deletion process takes up to 60 seconds"
STANDARD_ATTRIBUTES = {
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
    "VisibilityTimeout": "30",
}
FIFO_ATTRIBUTES = {
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoQueue": "true",
    "FifoThroughputLimit": "perQueue",
}


def all_attributes(sqs: BaseClient, url: str) -> dict[str, str]:
    attributes: dict[str, str] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return attributes


def test_standard_queue_defaults(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A new standard queue has AWS's default attributes, and exactly AWS's set of them"""
    attributes = all_attributes(sqs, make_queue())
    timestamps = {"CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"}
    assert set(attributes) == set(STANDARD_ATTRIBUTES) | timestamps
    assert {k: v for k, v in attributes.items() if k not in timestamps} == STANDARD_ATTRIBUTES
    assert attributes["QueueArn"].startswith("arn:aws:sqs:")


def test_fifo_queue_defaults(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A new FIFO queue adds the four FIFO attributes with their defaults"""
    attributes = all_attributes(sqs, make_queue("f.fifo"))
    assert {k: attributes[k] for k in FIFO_ATTRIBUTES} == FIFO_ATTRIBUTES
    assert attributes["QueueArn"].endswith(".fifo")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VisibilityTimeout", "43201"),
        ("DelaySeconds", "901"),
        ("MaximumMessageSize", "1023"),
        ("MessageRetentionPeriod", "59"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
    ],
)
def test_attribute_limits(sqs: BaseClient, make_queue: Callable[..., str], name: str, value: str) -> None:
    """An attribute outside its range is refused with InvalidAttributeValue"""
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
    assert error_of(excinfo) == ("InvalidAttributeValue", 400)


def test_unknown_attribute(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """An unknown attribute name is refused with InvalidAttributeName"""
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=make_queue(), AttributeNames=["Foobar"])
    assert error_of(excinfo) == ("InvalidAttributeName", 400)


def test_create_is_idempotent_until_attributes_differ(
    sqs: BaseClient, make_queue: Callable[..., str], names: Callable[[str], str]
) -> None:
    """CreateQueue again returns the same URL; with a different attribute value it is QueueAlreadyExists"""
    url = make_queue("same", VisibilityTimeout="40")
    name = url.rsplit("/", 1)[1]
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"] == url
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "41"})
    assert error_of(excinfo) == ("QueueAlreadyExists", 400)


def test_missing_queue(sqs: BaseClient, names: Callable[[str], str]) -> None:
    """A missing queue is AWS.SimpleQueueService.NonExistentQueue, raised as QueueDoesNotExist"""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName=names("missing"))
    assert error_of(excinfo) == ("AWS.SimpleQueueService.NonExistentQueue", 400)


@pytest.mark.parametrize("name", ["has space", "x" * 81, "dot.ted"], ids=["space", "81-characters", "dot"])
def test_queue_name_rules(sqs: BaseClient, name: str) -> None:
    """A queue name outside 1-80 alphanumerics, hyphens and underscores is InvalidParameterValue"""
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name)
    assert error_of(excinfo) == ("InvalidParameterValue", 400)


def test_get_queue_url_and_list_by_prefix(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """GetQueueUrl finds a queue by name; ListQueues filters by prefix and pages with MaxResults"""
    urls = sorted(make_queue(f"list-{i}") for i in range(3))
    prefix = urls[0].rsplit("/", 1)[1][:-2]
    assert sqs.get_queue_url(QueueName=urls[1].rsplit("/", 1)[1])["QueueUrl"] == urls[1]
    # ListQueues is eventually consistent on AWS: a new queue may take a while to be listed.
    deadline = time.monotonic() + LISTING_DELAY_S
    while (listed := sorted(sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))) != urls:
        assert time.monotonic() < deadline, listed
        time.sleep(1)
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    rest = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
    assert sorted(first["QueueUrls"] + rest["QueueUrls"]) == urls


def test_tags(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """Tags are added, overwritten, listed and removed"""
    url = make_queue()
    sqs.tag_queue(QueueUrl=url, Tags={"team": "a", "env": "ci"})
    sqs.tag_queue(QueueUrl=url, Tags={"team": "b"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b"}


def test_purge(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """PurgeQueue empties a queue; a second purge within 60 seconds is PurgeQueueInProgress (403)"""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    sqs.purge_queue(QueueUrl=url)
    # AWS purges within 60 s of the call: the message may still be received, once, meanwhile.
    deadline = time.monotonic() + PURGE_DELAY_S
    while got := sqs.receive_message(QueueUrl=url, VisibilityTimeout=PURGE_DELAY_S).get("Messages"):
        assert time.monotonic() < deadline, got
    with pytest.raises(ClientError) as excinfo:
        sqs.purge_queue(QueueUrl=url)
    assert error_of(excinfo) == ("AWS.SimpleQueueService.PurgeQueueInProgress", 403)


def test_deleted_queue_is_gone(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """After DeleteQueue every call on the queue is NonExistentQueue"""
    url = make_queue()
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="m")
    assert error_of(excinfo) == ("AWS.SimpleQueueService.NonExistentQueue", 400)


def test_permissions_make_a_policy(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """AddPermission writes a policy statement under its label; RemovePermission of the last one removes Policy"""
    url = make_queue()
    sqs.add_permission(QueueUrl=url, Label="senders", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    (statement,) = policy["Statement"]
    assert (statement["Sid"], statement["Effect"], statement["Action"]) == (
        "senders",
        "Allow",
        "SQS:SendMessage",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(
            QueueUrl=url, Label="senders", AWSAccountIds=["111122223333"], Actions=["SendMessage"]
        )
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    sqs.remove_permission(QueueUrl=url, Label="senders")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
