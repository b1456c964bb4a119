"""CloudWatch Logs as applications and test suites use it (boto3, AWS JSON 1.1): a group and a stream, events
put and read back in order, a filter pattern, a retention policy. Everything it creates it deletes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.client import BaseClient

from conformance.clients import NO_RETRIES
from conformance.conftest import Endpoint, error_of

pytestmark = pytest.mark.client("boto3")


@pytest.fixture
def logs(endpoint: Endpoint) -> BaseClient:
    return boto3.session.Session().client(
        "logs",
        endpoint_url=endpoint.url,
        region_name=endpoint.region,
        config=NO_RETRIES,
        **endpoint.credentials,
    )


@pytest.fixture
def group(logs: BaseClient) -> Iterator[str]:
    name = f"/conformance/{uuid.uuid4().hex[:10]}"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="app")
    yield name
    logs.delete_log_group(logGroupName=name)


def _put(logs: BaseClient, group: str, messages: list[str]) -> None:
    now = int(time.time() * 1000)
    events = [{"timestamp": now + n, "message": m} for n, m in enumerate(messages)]
    logs.put_log_events(logGroupName=group, logStreamName="app", logEvents=events)


def test_events_read_back_in_order(logs: BaseClient, group: str) -> None:
    """PutLogEvents, then GetLogEvents from the head gives the messages in order"""
    _put(logs, group, ["one", "two", "three"])
    deadline = time.monotonic() + 30  # AWS makes events readable within seconds
    while not (
        events := logs.get_log_events(logGroupName=group, logStreamName="app", startFromHead=True)["events"]
    ):
        assert time.monotonic() < deadline
        time.sleep(1)
    assert [e["message"] for e in events] == ["one", "two", "three"]


def test_filter_pattern_terms(logs: BaseClient, group: str) -> None:
    """FilterLogEvents with a term returns only the events that contain it"""
    _put(logs, group, ["ERROR disk full", "INFO all good"])
    deadline = time.monotonic() + 30
    while not (found := logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]):
        assert time.monotonic() < deadline
        time.sleep(1)
    assert [e["message"] for e in found] == ["ERROR disk full"]


def test_a_duplicate_group_and_a_missing_stream(logs: BaseClient, group: str) -> None:
    """CreateLogGroup of an existing name and PutLogEvents to a missing stream are AWS's errors"""
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException) as duplicate:
        logs.create_log_group(logGroupName=group)
    assert error_of(duplicate) == ("ResourceAlreadyExistsException", 400)
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as missing:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="absent",
            logEvents=[{"timestamp": int(time.time() * 1000), "message": "x"}],
        )
    assert error_of(missing) == ("ResourceNotFoundException", 400)


def test_retention(logs: BaseClient, group: str) -> None:
    """PutRetentionPolicy shows in DescribeLogGroups"""
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert described["retentionInDays"] == 7
