"""SNS invoking its Lambda subscriptions' functions, as boto3 users see it: a publish queues an Event
invocation of each matching function in the publish's own transaction, the function gets SNS's `Records`
event, and a subscription whose function does not exist parks the message in its dead-letter queue."""

from __future__ import annotations

import json
import time
import uuid

from botocore.client import BaseClient

from conformance.clients import sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function

FORWARDER = """
import json, os
import boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event))
"""


def _queue(server: ServerProcess, name: str) -> tuple[str, str]:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(QueueName=f"{name}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _one_message(server: ServerProcess, url: str) -> dict[str, object]:
    sqs = sqs_client(server.url, "json")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        if messages:
            (message,) = messages
            return dict(message)
    raise AssertionError("nothing arrived")


def test_a_publish_invokes_the_subscribed_function_with_snss_event(
    sns: BaseClient, lam: BaseClient, server: ServerProcess
) -> None:
    out_url, _ = _queue(server, "from-function")
    name = python_function(lam, FORWARDER, {"OUT": out_url}, prefix="sns")
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    topic = sns.create_topic(Name=f"to-lambda-{uuid.uuid4().hex[:8]}")["TopicArn"]
    subscription = sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=function_arn,
        Attributes={"FilterPolicy": json.dumps({"kind": ["order"]})},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="filtered out", MessageAttributes=_kind("refund"))
    message_id = sns.publish(
        TopicArn=topic, Message="an order", Subject="New", MessageAttributes=_kind("order")
    )["MessageId"]
    event = json.loads(str(_one_message(server, out_url)["Body"]))
    (record,) = event["Records"]
    assert (record["EventSource"], record["EventSubscriptionArn"]) == ("aws:sns", subscription)
    assert record["Sns"]["MessageId"] == message_id and record["Sns"]["Message"] == "an order"
    assert record["Sns"]["Subject"] == "New" and record["Sns"]["TopicArn"] == topic
    assert record["Sns"]["MessageAttributes"] == {"kind": {"Type": "String", "Value": "order"}}
    deadline = time.monotonic() + 10  # the invocation is logged once the handler has returned
    while not (
        logged := server.admin("GET", f"/admin/lambda/functions/{name}/invocations")[1]["invocations"]
    ):
        assert time.monotonic() < deadline, "the invocation was never logged"
        time.sleep(0.05)
    assert [i["source"] for i in logged] == ["Event"]  # the filtered one never ran


def _kind(value: str) -> dict[str, dict[str, str]]:
    return {"kind": {"DataType": "String", "StringValue": value}}


def test_a_missing_function_is_a_failed_delivery_parked_in_the_dead_letter_queue(
    sns: BaseClient, server: ServerProcess
) -> None:
    dlq_url, dlq_arn = _queue(server, "sns-dlq")
    topic = sns.create_topic(Name=f"to-nowhere-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=f"arn:aws:lambda:us-east-1:000000000000:function:gone-{uuid.uuid4().hex[:8]}",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
    )
    message_id = sns.publish(TopicArn=topic, Message="for a function that is not there")["MessageId"]
    sqs = sqs_client(server.url, "json")
    (parked,) = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    (record,) = json.loads(parked["Body"])["Records"]
    assert record["Sns"]["MessageId"] == message_id
    assert "MessageAttributes" not in parked  # SNS adds none (ErrorCode and friends are Lambda's)
