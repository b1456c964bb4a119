"""SQS event-source mappings, end to end with boto3: the function gets Lambda's SQS event and the batch is
deleted; a filter's non-matching messages are deleted without an invocation. The function reports what it got
by sending it to a second queue."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from botocore.client import BaseClient

from conformance.conftest import Endpoint

pytestmark = pytest.mark.client("boto3")

FORWARDER = """
import json, os
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    for record in event["Records"]:
        sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(record))
"""


def _arn(sqs: BaseClient, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def _forwarded(sqs: BaseClient, url: str, count: int, timeout: float = 60) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(records) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            records.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert len(records) == count, records
    return records


def _empty(sqs: BaseClient, url: str, timeout: float = 30) -> None:
    """Until the source queue holds nothing, visible or in flight."""
    deadline = time.monotonic() + timeout
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    while any(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"][n] != "0" for n in names
    ):
        assert time.monotonic() < deadline, "the mapping left messages in the queue"
        time.sleep(0.5)


class Forwarding(NamedTuple):
    source: str
    """The queue a mapping will read."""
    out: str
    """Where the function sends each record it gets."""
    function: str


@pytest.fixture
def forwarding(make_function: Callable[..., str], make_queue: Callable[..., str]) -> Forwarding:
    source, out = make_queue("src", VisibilityTimeout="30"), make_queue("out")
    return Forwarding(source, out, make_function(FORWARDER, Environment={"Variables": {"OUT": out}}))


def test_mapping_delivers_sqs_events(
    lam: BaseClient, sqs: BaseClient, forwarding: Forwarding, endpoint: Endpoint
) -> None:
    """A mapping hands the queue's messages to the function as Lambda's SQS records and deletes them"""
    source, out, name = forwarding
    sqs.send_message(
        QueueUrl=source,
        MessageBody="hello mapping",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
    )
    mapping = lam.create_event_source_mapping(
        FunctionName=name, EventSourceArn=_arn(sqs, source), BatchSize=5
    )
    try:
        assert mapping["State"] == "Creating" and mapping["BatchSize"] == 5
        (record,) = _forwarded(sqs, out, 1)
        assert record["body"] == "hello mapping" and record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == _arn(sqs, source) and record["awsRegion"] == endpoint.region
        assert record["messageAttributes"] == {
            "kind": {
                "stringValue": "greeting",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            }
        }
        assert set(record["attributes"]) >= {"ApproximateReceiveCount", "SentTimestamp", "SenderId"}
        _empty(sqs, source)
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_mapping_filter_deletes_non_matching(
    lam: BaseClient, sqs: BaseClient, forwarding: Forwarding
) -> None:
    """FilterCriteria: the matching message reaches the function, the other is deleted unseen"""
    source, out, name = forwarding
    sqs.send_message(QueueUrl=source, MessageBody=json.dumps({"kind": "skip"}))
    sqs.send_message(QueueUrl=source, MessageBody=json.dumps({"kind": "order"}))
    mapping = lam.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=_arn(sqs, source),
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]},
    )
    try:
        (record,) = _forwarded(sqs, out, 1)
        assert json.loads(str(record["body"])) == {"kind": "order"}
        _empty(sqs, source)
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
