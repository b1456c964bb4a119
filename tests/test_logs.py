"""CloudWatch Logs as applications, test suites and `aws logs tail --follow` use it (boto3, AWS JSON 1.1):
groups and streams, events in and out, filter patterns, retention and tags, a size cap per group; and every
Lambda invocation's output under `/aws/lambda/<function>`, found by polling as `aws logs tail` polls."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import CREDENTIALS, NO_RETRIES
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function


def logs_client(url: str) -> BaseClient:
    return boto3.session.Session().client(
        "logs", endpoint_url=url, region_name="us-east-1", config=NO_RETRIES, **CREDENTIALS
    )


@pytest.fixture
def logs(server: ServerProcess) -> BaseClient:
    return logs_client(server.url)


def _group(logs: BaseClient) -> str:
    name = f"/test/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name, tags={"team": "a"})
    return name


def _now_ms(server: ServerProcess) -> int:
    return server.now_ms()


def test_events_in_and_out(logs: BaseClient, server: ServerProcess) -> None:
    group = _group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="app")
    now = _now_ms(server)
    events = [{"timestamp": now + n, "message": f"line {n}"} for n in range(5)]
    reply = logs.put_log_events(logGroupName=group, logStreamName="app", logEvents=events)
    assert "nextSequenceToken" in reply
    got = logs.get_log_events(logGroupName=group, logStreamName="app", startFromHead=True)
    assert [e["message"] for e in got["events"]] == [f"line {n}" for n in range(5)]
    again = logs.get_log_events(logGroupName=group, logStreamName="app", nextToken=got["nextForwardToken"])
    assert again["events"] == []
    (stream,) = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (now, now + 4)
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["logGroupName"] == group and described["storedBytes"] > 0
    with pytest.raises(ClientError) as raised:
        logs.create_log_group(logGroupName=group)
    assert raised.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as raised:
        logs.put_log_events(logGroupName=group, logStreamName="nope", logEvents=events)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", ["ERROR disk full", '{"level": "ERROR", "n": 7}']),
        ('"disk full"', ["ERROR disk full"]),
        ("?WARN ?disk", ["ERROR disk full", "WARN slow"]),
        ("ERROR -disk", ['{"level": "ERROR", "n": 7}']),
        ('{ $.level = "ERROR" }', ['{"level": "ERROR", "n": 7}']),
        ("{ $.n > 5 }", ['{"level": "ERROR", "n": 7}']),
        ('{ $.level = "ERR*" }', ['{"level": "ERROR", "n": 7}']),
    ],
)
def test_filter_patterns(logs: BaseClient, server: ServerProcess, pattern: str, expected: list[str]) -> None:
    group = _group(logs)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now_ms(server)
    messages = [
        "ERROR disk full",
        "WARN slow",
        "INFO fine",
        '{"level": "ERROR", "n": 7}',
        '{"level": "INFO", "n": 1}',
    ]
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now + n, "message": m} for n, m in enumerate(messages)],
    )
    found = logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]
    assert sorted(e["message"] for e in found) == sorted(expected)


def test_retention_and_tags(logs: BaseClient) -> None:
    group = _group(logs)
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 7
    with pytest.raises(ClientError) as raised:
        logs.put_retention_policy(logGroupName=group, retentionInDays=8)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"env": "test"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a", "env": "test"}
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []


PRINTS = """
def handler(event, context):
    print("hello from", event["who"])
    return "ok"
"""


def _follow(
    logs: BaseClient, group: str, start: int, wanted: str, timeout: float = 10
) -> list[dict[str, Any]]:
    """Poll FilterLogEvents with startTime, as `aws logs tail --follow` does, until `wanted` shows."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            events: list[dict[str, Any]] = logs.filter_log_events(logGroupName=group, startTime=start)[
                "events"
            ]
        except ClientError:  # the group is created by the first output
            events = []
        if any(wanted in e["message"] for e in events):
            return events
        assert time.monotonic() < deadline, events
        time.sleep(0.1)


def test_a_functions_output_is_in_its_log_group(
    lam: BaseClient, logs: BaseClient, server: ServerProcess
) -> None:
    name = python_function(lam, PRINTS, {}, "logged")
    start = _now_ms(server)
    request_id = lam.invoke(FunctionName=name, Payload=json.dumps({"who": "the first"}).encode())[
        "ResponseMetadata"
    ]["RequestId"]
    events = _follow(logs, f"/aws/lambda/{name}", start, "hello from the first")
    messages = [e["message"] for e in events]
    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert f"END RequestId: {request_id}" in messages
    assert any(m.startswith(f"REPORT RequestId: {request_id}\tDuration: ") for m in messages)
    (stream,) = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert stream["logStreamName"].split("/")[3].startswith("[$LATEST]")
    lam.invoke(FunctionName=name, Payload=json.dumps({"who": "the second"}).encode())
    _follow(logs, f"/aws/lambda/{name}", start, "hello from the second")


def test_a_group_keeps_at_most_its_cap_and_everything_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ServerProcess(data, "--logs-max-group-mb", "1").start() as first:
        logs = logs_client(first.url)
        logs.create_log_group(logGroupName="capped")
        logs.create_log_stream(logGroupName="capped", logStreamName="s")
        now = int(time.time() * 1000)
        for batch in range(4):  # 4 x 500 KB
            events = [
                {"timestamp": now + batch * 100 + n, "message": f"{batch}-" + "x" * 5000} for n in range(100)
            ]
            logs.put_log_events(logGroupName="capped", logStreamName="s", logEvents=events)
        stored = logs.describe_log_groups(logGroupNamePrefix="capped")["logGroups"][0]["storedBytes"]
        assert stored <= 1024 * 1024
    with ServerProcess(data).start() as second:
        logs = logs_client(second.url)
        got = logs.get_log_events(logGroupName="capped", logStreamName="s", startFromHead=True, limit=1)
        assert not got["events"][0]["message"].startswith("0-")  # the oldest were dropped
