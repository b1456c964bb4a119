"""A suite that uses nothing but Posthouse's pytest plugin, as a project of ours would (run by
tests/test_pytest_plugin.py with no conftest of this repository): each test gets an emptied server and ready
clients, and moves the clock instead of sleeping."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from server.pytest_plugin import Posthouse


def test_a_message_comes_back_after_its_visibility_timeout(posthouse: Posthouse, sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hi")
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    posthouse.advance(seconds=31)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hi"


def test_each_test_starts_empty(sqs: Any, sns: Any) -> None:
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert sns.list_topics()["Topics"] == []


def test_fan_out_and_peek(posthouse: Posthouse, sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="orders")["TopicArn"]
    url = sqs.create_queue(QueueName="billing")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message=json.dumps({"order": 1}))
    (message,) = posthouse.peek(url)
    assert json.loads(message["body"]) == {"order": 1} and message["receive_count"] == 0


def test_a_function_runs(lambda_: Any, sts: Any) -> None:
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n")
    account = sts.get_caller_identity()["Account"]
    lambda_.create_function(
        FunctionName="double",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{account}:role/runner",
        Handler="app.handler",
        Code={"ZipFile": package.getvalue()},
    )
    reply = lambda_.invoke(FunctionName="double", Payload=json.dumps({"n": 21}))
    assert json.loads(reply["Payload"].read()) == {"doubled": 42}
