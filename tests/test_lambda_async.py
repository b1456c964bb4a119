"""Event invocations as Lambda runs them: kept durably from the 202 (through a kill -9), retried after a
function error on AWS's schedule (the controllable clock stands in for the minutes), then handed to the
function's OnFailure destination and dead-letter queue; a success goes to OnSuccess."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import lambda_client, sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function, zipped
from tests.test_lambda_mappings import queue_with_arn
from tests.test_wire import call

HANDLER = """
import json, os
import boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event))
    if event.get("fail"):
        raise ValueError("not today")
    return {"done": event.get("n")}
"""


def _function(lam: BaseClient, out_url: str, **extra: Any) -> str:
    return python_function(lam, HANDLER, {"OUT": out_url}, "async", **extra)


def _one(queues: BaseClient, url: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = queues.receive_message(
            QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"], AttributeNames=["All"]
        ).get("Messages", [])
        if messages:
            queues.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
            found: dict[str, Any] = messages[0]
            return found
    raise TimeoutError(f"nothing arrived in {url}")


def test_a_failing_event_is_retried_then_goes_to_its_destination_and_dead_letter_queue(
    lam: BaseClient, server: ServerProcess
) -> None:
    queues = sqs_client(server.url, "json")
    out_url, _ = queue_with_arn(queues, "attempts")
    failed_url, failed_arn = queue_with_arn(queues, "on-failure")
    dead_url, dead_arn = queue_with_arn(queues, "dead-letters")
    name = _function(lam, out_url, DeadLetterConfig={"TargetArn": dead_arn})
    config = lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failed_arn}},
    )
    assert config["MaximumRetryAttempts"] == 1 and config["FunctionArn"].endswith(f":{name}:$LATEST")
    assert lam.get_function_event_invoke_config(FunctionName=name)["DestinationConfig"]["OnFailure"] == {
        "Destination": failed_arn
    }
    reply = lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True}).encode())
    assert reply["StatusCode"] == 202
    _one(queues, out_url)  # the first attempt, at once
    time.sleep(0.3)
    assert not queues.receive_message(QueueUrl=out_url).get("Messages")  # the retry waits its minute
    server.advance(61)
    _one(queues, out_url)  # the second and last attempt
    record = json.loads(_one(queues, failed_url)["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"fail": True}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "not today"
    parked = _one(queues, dead_url)
    assert json.loads(parked["Body"]) == {"fail": True}
    assert parked["MessageAttributes"]["ErrorMessage"]["StringValue"] == "not today"


def test_a_successful_event_goes_to_its_on_success_destination(
    lam: BaseClient, server: ServerProcess
) -> None:
    queues = sqs_client(server.url, "json")
    out_url, _ = queue_with_arn(queues, "ran")
    done_url, done_arn = queue_with_arn(queues, "on-success")
    name = _function(lam, out_url)
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": done_arn}}
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 7}).encode())
    record = json.loads(_one(queues, done_url)["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"done": 7}
    lam.delete_function_event_invoke_config(FunctionName=name)
    assert lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"] == []


def test_a_queued_event_survives_kill_9(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path / "data").start()
    lam = lambda_client(first.url)
    queues = sqs_client(first.url, "json")
    out_url, _ = queue_with_arn(queues, "later")
    name = _function(lam, out_url)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)  # it waits for a slot
    assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')["StatusCode"] == 202
    first.kill()
    with ServerProcess(tmp_path / "data", port=first.port).start() as second:
        lambda_client(second.url).delete_function_concurrency(FunctionName=name)
        assert json.loads(_one(sqs_client(second.url, "json"), out_url)["Body"]) == {"n": 1}


def test_destinations_can_be_sns_topics_and_functions(
    lam: BaseClient, sns: BaseClient, server: ServerProcess
) -> None:
    queues = sqs_client(server.url, "json")
    out_url, _ = queue_with_arn(queues, "ran")
    via_topic_url, via_topic_arn = queue_with_arn(queues, "via-topic")
    topic = sns.create_topic(Name=f"failures-{int(time.time() * 1000)}")["TopicArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=via_topic_arn, Attributes={"RawMessageDelivery": "true"}
    )
    recorder_out, _ = queue_with_arn(queues, "recorder")
    recorder = _function(lam, recorder_out)
    recorder_arn = lam.get_function(FunctionName=recorder)["Configuration"]["FunctionArn"]
    name = _function(lam, out_url, DeadLetterConfig={"TargetArn": topic})
    lam.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={
            "OnFailure": {"Destination": topic},
            "OnSuccess": {"Destination": f"{recorder_arn}:$LATEST"},  # a qualified ARN names it too
        },
    )
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    _one(queues, out_url)
    first, second = _one(queues, via_topic_url), _one(queues, via_topic_url)
    record, event = sorted((first, second), key=lambda m: "requestContext" in m["Body"], reverse=True)
    assert json.loads(record["Body"])["requestContext"]["condition"] == "RetriesExhausted"
    assert json.loads(event["Body"]) == {"fail": True}  # the dead-letter topic gets the event itself
    assert event["MessageAttributes"]["ErrorMessage"]["StringValue"] == "not today"
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 3}')
    _one(queues, out_url)
    # The OnSuccess function is invoked with the invocation record as its event.
    recorded = json.loads(_one(queues, recorder_out)["Body"])
    assert recorded["requestContext"]["condition"] == "Success" and recorded["responsePayload"] == {"done": 3}


def test_an_alias_has_its_own_event_invoke_configuration(lam: BaseClient, server: ServerProcess) -> None:
    queues = sqs_client(server.url, "json")
    out_url, _ = queue_with_arn(queues, "aliased")
    live_url, live_arn = queue_with_arn(queues, "live-success")
    latest_url, latest_arn = queue_with_arn(queues, "latest-success")
    name = _function(lam, out_url)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    shown = lam.put_function_event_invoke_config(
        FunctionName=name, Qualifier="live", DestinationConfig={"OnSuccess": {"Destination": live_arn}}
    )
    assert shown["FunctionArn"].endswith(f":{name}:live")
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": latest_arn}}
    )
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed] == ["$LATEST", "live"]
    # Each invocation follows the configuration of the qualifier it was invoked by.
    lam.invoke(FunctionName=f"{name}:live", InvocationType="Event", Payload=b'{"n": 1}')
    record = json.loads(_one(queues, live_url)["Body"])
    assert record["requestContext"]["functionArn"].endswith(f":{name}:live")
    assert record["responseContext"]["executedVersion"] == "1"
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 2}')
    assert json.loads(_one(queues, latest_url)["Body"])["responsePayload"] == {"done": 2}
    lam.delete_function_event_invoke_config(FunctionName=name, Qualifier="live")
    remaining = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in remaining] == ["$LATEST"]
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_event_invoke_config(FunctionName=name, Qualifier="live")


NAN = """
import json, os
import boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody="ran")
    return float("nan")
"""


def test_a_nan_result_reaches_its_destination_once_and_runs_once(lam: BaseClient, queues: BaseClient) -> None:
    out_url, _ = queue_with_arn(queues, "nan-ran")
    done_url, done_arn = queue_with_arn(queues, "nan-done")
    name = python_function(lam, NAN, {"OUT": out_url}, "nan")
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": done_arn}}
    )
    assert (
        lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read() == b"NaN"
    )  # as AWS's runtime answers
    _one(queues, out_url)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    record = json.loads(_one(queues, done_url)["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] is None
    _one(queues, out_url)
    time.sleep(1)
    assert not queues.receive_message(QueueUrl=out_url).get("Messages")  # it ran once, not thousands of times
    assert not queues.receive_message(QueueUrl=done_url).get("Messages")


@pytest.mark.parametrize(
    "dead_letter",
    [
        {"TargetArn": "not an arn"},
        {"TargetArn": "arn:aws:s3:::bucket"},
        {"TargetArn": 7},
    ],
)
def test_a_dead_letter_config_aws_refuses_is_refused(lam: BaseClient, dead_letter: Any) -> None:
    with pytest.raises(ClientError) as refused:
        python_function(lam, NAN, {}, "dlq", DeadLetterConfig=dead_letter)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert refused.value.response["Error"]["Code"] in (
        "InvalidParameterValueException",
        "ValidationException",
    )


def test_a_dead_letter_config_given_as_a_string_is_refused(server: ServerProcess) -> None:
    body = {
        "FunctionName": "dlq-as-text",
        "Runtime": "python3.12",
        "Role": "arn:aws:iam::000000000000:role/r",
        "Handler": "handler.handler",
        "Code": {"ZipFile": base64.b64encode(zipped(NAN)).decode()},
        "DeadLetterConfig": "arn:aws:sqs:us-east-1:000000000000:dlq",
    }
    status, _, answer = call(server, "POST", "/2015-03-31/functions", json.dumps(body).encode())
    assert status == 400
    assert json.loads(answer)["Type"] == "User"


SLOW = """
import os, time
import boto3

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=event["name"])
"""


def _events(lam: BaseClient, name: str, count: int, event: dict[str, Any]) -> None:
    for _ in range(count):
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode())


def test_a_throttled_functions_events_hold_back_no_one_else(lam: BaseClient, queues: BaseClient) -> None:
    out_url, _ = queue_with_arn(queues, "fair-throttled")
    held = python_function(lam, SLOW, {"OUT": out_url}, "held")
    lam.put_function_concurrency(FunctionName=held, ReservedConcurrentExecutions=0)
    _events(lam, held, 40, {"name": "held"})
    free = python_function(lam, SLOW, {"OUT": out_url}, "free")
    _events(lam, free, 1, {"name": "free"})
    assert _one(queues, out_url)["Body"] == "free"
    lam.delete_function(FunctionName=held)


def test_a_backlog_of_slow_events_leaves_room_for_another_function(
    lam: BaseClient, queues: BaseClient
) -> None:
    out_url, _ = queue_with_arn(queues, "fair-slow")
    slow = python_function(lam, SLOW, {"OUT": out_url}, "slow", Timeout=10)
    _events(lam, slow, 36, {"name": "slow", "sleep": 3})
    quick = python_function(lam, SLOW, {"OUT": out_url}, "quick")
    _events(lam, quick, 1, {"name": "quick"})
    assert _one(queues, out_url)["Body"] == "quick"  # before the first of the slow ones is done
