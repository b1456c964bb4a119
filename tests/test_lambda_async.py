"""Event invocations as Lambda runs them: kept durably from the 202 (through a kill -9), retried after a
function error on AWS's schedule (the controllable clock stands in for the minutes), then handed to the
function's OnFailure destination and dead-letter queue; a success goes to OnSuccess."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient

from conformance.clients import lambda_client, sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function
from tests.test_lambda_mappings import queue_with_arn

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
