"""A mapping's change applies to every batch gathered after it is acknowledged: poll loops parked in a long
poll under the old settings give what they gather back instead of judging it by those settings. And a batch
that cannot get a slot of the function's reserved concurrency in time is given back, never run twice."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function
from tests.test_lambda_mappings import _count, _forwarded, _function, queue_with_arn
from tests.test_wire import call

TEN = 10


def _mapping(lam: BaseClient, source_arn: str, name: str, **settings: object) -> str:
    uuid: str = lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name, **settings)[
        "UUID"
    ]
    return uuid


def _parked(server: ServerProcess, url: str) -> None:
    """The mapping's five loops sit in their long polls, with the settings they started with."""
    server.wait_for_parked_receives(url, count=5)


def _send(queues: BaseClient, url: str, kind: str) -> None:
    for n in range(TEN):
        queues.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": kind, "n": n}))


def _settles_untouched(queues: BaseClient, url: str) -> None:
    """All ten stay in the queue, visible (given back at once), and stay there."""
    deadline = time.monotonic() + 5
    while _count(queues, url) != (TEN, 0):
        assert time.monotonic() < deadline, _count(queues, url)
        time.sleep(0.05)
    time.sleep(0.3)
    assert _count(queues, url) == (TEN, 0)


def test_a_widened_filter_applies_to_messages_the_old_loops_gather(
    server: ServerProcess, lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "widened")
    out_url, _ = queue_with_arn(queues, "widened-out")
    only_a = {"Filters": [{"Pattern": json.dumps({"body": {"kind": ["a"]}})}]}
    uuid = _mapping(lam, source_arn, _function(lam, out_url), BatchSize=1, FilterCriteria=only_a)
    _parked(server, source_url)
    a_or_b = {"Filters": [{"Pattern": json.dumps({"body": {"kind": ["a", "b"]}})}]}
    assert lam.update_event_source_mapping(UUID=uuid, FilterCriteria=a_or_b)["State"] == "Updating"
    _send(queues, source_url, "b")
    records = _forwarded(queues, out_url, TEN)
    assert sorted(json.loads(r["body"])["n"] for r in records) == list(range(TEN))


def test_a_disabled_mapping_consumes_nothing_more(
    server: ServerProcess, lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "disabled")
    out_url, _ = queue_with_arn(queues, "disabled-out")
    uuid = _mapping(lam, source_arn, _function(lam, out_url), BatchSize=1)
    _parked(server, source_url)
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    _send(queues, source_url, "a")
    _settles_untouched(queues, source_url)
    assert _count(queues, out_url) == (0, 0)


def test_a_deleted_mapping_consumes_nothing_more(
    server: ServerProcess, lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "deleted")
    out_url, _ = queue_with_arn(queues, "deleted-out")
    uuid = _mapping(lam, source_arn, _function(lam, out_url), BatchSize=1)
    _parked(server, source_url)
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    _send(queues, source_url, "a")
    _settles_untouched(queues, source_url)
    assert _count(queues, out_url) == (0, 0)


def test_a_mapping_moved_to_another_function_feeds_only_that_one(
    server: ServerProcess, lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "moved")
    old_out, _ = queue_with_arn(queues, "moved-old")
    new_out, _ = queue_with_arn(queues, "moved-new")
    uuid = _mapping(lam, source_arn, _function(lam, old_out), BatchSize=1)
    _parked(server, source_url)
    lam.update_event_source_mapping(UUID=uuid, FunctionName=_function(lam, new_out))
    _send(queues, source_url, "a")
    assert len(_forwarded(queues, new_out, TEN)) == TEN
    assert _count(queues, old_out) == (0, 0)


def test_a_mapping_whose_function_was_deleted_can_be_disabled_and_deleted(
    lam: BaseClient, queues: BaseClient
) -> None:
    _, source_arn = queue_with_arn(queues, "orphan")
    out_url, _ = queue_with_arn(queues, "orphan-out")
    name = _function(lam, out_url)
    uuid = _mapping(lam, source_arn, name)
    lam.delete_function(FunctionName=name)
    assert lam.get_event_source_mapping(UUID=uuid)["State"] in ("Enabled", "Creating")
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"


SLOW_FORWARDER = """
import json, os, time
import boto3

def handler(event, context):
    time.sleep(1.2)
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event["Records"]))
"""


def test_a_batch_waiting_for_a_slot_is_never_run_after_its_messages_came_back(
    lam: BaseClient, queues: BaseClient
) -> None:
    out_url, _ = queue_with_arn(queues, "slots-out")
    name = python_function(lam, SLOW_FORWARDER, {"OUT": out_url}, "slots", Timeout=2)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    # Three mappings, two loops each (the reserved concurrency), two slots: batches wait past 2 s for one.
    sources = [queue_with_arn(queues, f"slots-{n}", VisibilityTimeout="2") for n in range(3)]
    for url, _ in sources:
        for n in range(3):
            queues.send_message(QueueUrl=url, MessageBody=f"{url[-8:]}-{n}")
    for _, arn in sources:
        _mapping(lam, arn, name, BatchSize=1)
    batches: list[Any] = _forwarded(queues, out_url, 9, timeout=40)
    runs = Counter(record["messageId"] for batch in batches for record in batch)
    assert len(runs) == 9
    assert max(runs.values()) == 1, runs
    time.sleep(1)
    assert _count(queues, out_url) == (0, 0)  # nothing ran a second time late


def test_settings_aws_refuses_are_refused(server: ServerProcess, lam: BaseClient, queues: BaseClient) -> None:
    _, source_arn = queue_with_arn(queues, "refused")
    _, fifo_arn = queue_with_arn(queues, "refused.fifo", FifoQueue="true")
    out_url, _ = queue_with_arn(queues, "refused-out")
    name = _function(lam, out_url)
    with pytest.raises(ClientError) as refused:
        lam.create_event_source_mapping(
            EventSourceArn=fifo_arn, FunctionName=name, MaximumBatchingWindowInSeconds=5
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert refused.value.response["Error"]["Message"] == (
        "Invalid request provided: Batching window is not supported for FIFO queues"
    )
    body = {"EventSourceArn": source_arn, "FunctionName": name, "ScalingConfig": "abc"}  # no SDK sends it
    status, headers, _ = call(server, "POST", "/2015-03-31/event-source-mappings", json.dumps(body).encode())
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidParameterValueException")
    assert lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"] == []


@pytest.mark.parametrize("max_items", [-1, 0, 10001])
def test_listing_mappings_with_max_items_out_of_bounds_is_refused(lam: BaseClient, max_items: int) -> None:
    with pytest.raises(ClientError) as refused:
        lam.list_event_source_mappings(MaxItems=max_items)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
