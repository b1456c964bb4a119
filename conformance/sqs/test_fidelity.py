"""Behaviours AWS was recorded doing that emulators commonly get wrong: how a queue is named, FIFO group order
and unlocking, older receipt handles, dead-letter receive counts, validation texts, query rendering."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.client import BaseClient
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conformance.conftest import Endpoint, error_of


def receive(sqs: BaseClient, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Long-poll briefly: on AWS a short poll may miss messages that are there."""
    kwargs.setdefault("WaitTimeSeconds", 1)
    kwargs.setdefault("MaxNumberOfMessages", 10)
    messages: list[dict[str, Any]] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], **kwargs).get(
        "Messages", []
    )
    return messages


def message_of(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Message"])


def test_queue_name_stands_for_its_url(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A queue's name is accepted where a QueueUrl is expected"""
    url = make_queue("byname")
    name = url.rsplit("/", 1)[1]
    sqs.send_message(QueueUrl=name, MessageBody="sent by name")
    assert [m["Body"] for m in receive(sqs, name)] == ["sent by name"]
    arn = sqs.get_queue_attributes(QueueUrl=name, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn.endswith(":" + name)


def test_receive_takes_a_group_as_far_as_it_goes(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """A FIFO receive returns a group's messages together, in order, before moving to the next group"""
    url = make_queue("runs.fifo", ContentBasedDeduplication="true")
    for body, group in (("g1-m1", "g1"), ("g2-m1", "g2"), ("g1-m2", "g1"), ("g1-m3", "g1")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = [m["Body"] for m in receive(sqs, url)]
    assert got in (["g1-m1", "g1-m2", "g1-m3", "g2-m1"], ["g2-m1", "g1-m1", "g1-m2", "g1-m3"])


def test_group_unlocks_when_one_message_is_visible_again(
    sqs: BaseClient, make_queue: Callable[..., str]
) -> None:
    """A FIFO group is available again once one in-flight message is visible; the rest stay in flight"""
    url = make_queue("unlock.fifo", ContentBasedDeduplication="true", VisibilityTimeout="60")
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g")
    first, _ = receive(sqs, url, MaxNumberOfMessages=2)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    assert [m["Body"] for m in receive(sqs, url)] == ["m0"]


def test_purge_forgets_deduplication_ids(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """PurgeQueue clears a FIFO queue's deduplication ids: the same message is new afterwards"""
    url = make_queue("purged.fifo", ContentBasedDeduplication="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")["MessageId"]
    sqs.purge_queue(QueueUrl=url)
    assert sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")["MessageId"] != first


def test_older_receipt_handle_changes_visibility(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """ChangeMessageVisibility with the handle of an earlier receive applies to the message"""
    url = make_queue("older")
    sqs.send_message(QueueUrl=url, MessageBody="m")
    (old,) = receive(sqs, url, VisibilityTimeout=0)
    (latest,) = receive(sqs, url, VisibilityTimeout=60)
    assert latest["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"], VisibilityTimeout=0)
    (again,) = receive(sqs, url)
    assert again["Attributes"]["ApproximateReceiveCount"] == "3"


def test_moving_receive_does_not_count(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """The receive that moves a message to its dead-letter queue is not counted there"""
    dead_letters = make_queue("dlq")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    source = make_queue(
        "src", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    )
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        assert len(receive(sqs, source, VisibilityTimeout=0)) == 1
    assert receive(sqs, source, VisibilityTimeout=0, WaitTimeSeconds=0) == []  # this receive moves it
    (moved,) = receive(sqs, dead_letters, WaitTimeSeconds=5)
    assert moved["Attributes"]["ApproximateReceiveCount"] == "3"  # maxReceiveCount, plus this receive


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"FifoQueue": "false"}, "Unknown Attribute FifoQueue."),
        ({"ContentBasedDeduplication": "false"}, "Unknown Attribute ContentBasedDeduplication."),
        (
            {"DeduplicationScope": "queue"},
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
    ],
)
def test_standard_queue_refuses_fifo_attributes(
    sqs: BaseClient, names: Callable[[str], str], attributes: dict[str, str], message: str
) -> None:
    """CreateQueue of a standard queue with a FIFO-only attribute is InvalidAttributeName"""
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=names("std"), Attributes=attributes)
    assert error_of(excinfo) == ("InvalidAttributeName", 400)
    assert message_of(excinfo) == message


def test_standard_queue_does_not_know_fifo_queue(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """GetQueueAttributes of FifoQueue on a standard queue is InvalidAttributeName"""
    url = make_queue("plain")
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])
    assert error_of(excinfo) == ("InvalidAttributeName", 400)
    assert message_of(excinfo) == "Unknown Attribute FifoQueue."


def test_redrive_target_must_be_an_arn(sqs: BaseClient, names: Callable[[str], str]) -> None:
    """A RedrivePolicy whose target is no ARN is refused before any lookup, quoting the policy as sent"""
    policy = json.dumps({"deadLetterTargetArn": "dummy", "maxReceiveCount": 42})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=names("redrive"), Attributes={"RedrivePolicy": policy})
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    assert message_of(excinfo) == (
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."
    )


@pytest.mark.parametrize("entry_id", ["", "x" * 81, "bad:id"])
def test_batch_entry_ids(sqs: BaseClient, make_queue: Callable[..., str], entry_id: str) -> None:
    """A batch entry id that is empty, too long or has other characters is InvalidBatchEntryId"""
    url = make_queue("ids")
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": entry_id, "MessageBody": "m"}])
    assert error_of(excinfo)[0] in ("AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId")
    assert message_of(excinfo) == (
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores."
        " It can be at most 80 letters long."
    )


def test_empty_receive_rendering(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    """An empty receive is <ReceiveMessageResult/> in the query protocol"""
    url = make_queue("empty")
    bodies: list[bytes] = []
    sqs.meta.events.register(
        "after-call.sqs.ReceiveMessage", lambda http_response, **_: bodies.append(http_response.content)
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    if sqs.meta.service_model.protocol == "query":
        assert b"<ReceiveMessageResult/>" in bodies[0]


@pytest.mark.client("query")
def test_query_reply_as_json(endpoint: Endpoint, names: Callable[[str], str]) -> None:
    """A query request with Accept: application/json gets the reply as JSON"""
    sqs = endpoint.client("json")
    url = sqs.create_queue(QueueName=names("json"))["QueueUrl"]
    try:
        _get_queue_url_as_json(endpoint, url)
    finally:
        sqs.delete_queue(QueueUrl=url)


def _get_queue_url_as_json(endpoint: Endpoint, url: str) -> None:
    form = urlencode({"Action": "GetQueueUrl", "Version": "2012-11-05", "QueueName": url.rsplit("/", 1)[1]})
    request = AWSRequest(
        "POST",
        endpoint.url + "/",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    keys = endpoint.credentials
    SigV4Auth(
        Credentials(keys["aws_access_key_id"], keys["aws_secret_access_key"]), "sqs", endpoint.region
    ).add_auth(request)
    raw = urllib.request.Request(
        request.url, data=form.encode(), headers=dict(request.headers), method="POST"
    )
    with urllib.request.urlopen(raw, timeout=30) as reply:
        assert reply.headers["Content-Type"].startswith("application/json")
        document = json.loads(reply.read())
    assert document["GetQueueUrlResponse"]["GetQueueUrlResult"]["QueueUrl"] == url
    assert document["GetQueueUrlResponse"]["ResponseMetadata"]["RequestId"]
