"""SQS event-source mappings as boto3 drives them: the mapping object and its states, AWS's validation, and a
real poller — batches handed to a Python function and deleted after it returns, filter patterns (non-matching
messages deleted), a failing function's messages retried and parked in the queue's DLQ, and partial batch
responses. The function reports what it got by sending it to another queue (its boto3 reaches this server)."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import lambda_client, sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function, zipped

FORWARDER = """
import json, os
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    failures = []
    for record in event["Records"]:
        sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(record))
        if "bad" in record["body"]:
            failures.append({"itemIdentifier": record["messageId"]})
    if os.environ.get("FAIL"):
        raise RuntimeError("downstream is down")
    return {"batchItemFailures": failures}
"""


def queue_with_arn(queues: BaseClient, label: str, **attributes: str) -> tuple[str, str]:
    base, fifo = label.removesuffix(".fifo"), label.endswith(".fifo")
    name = f"{base}-{uuid.uuid4().hex[:8]}" + (".fifo" if fifo else "")
    url = queues.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = queues.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _function(lam: BaseClient, out_url: str, **environment: str) -> str:
    return python_function(lam, FORWARDER, {"OUT": out_url, **environment}, "consumer")


def _forwarded(queues: BaseClient, out_url: str, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(records) < count:
        assert time.monotonic() < deadline, f"{len(records)} of {count} records forwarded"
        for message in queues.receive_message(
            QueueUrl=out_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            records.append(json.loads(message["Body"]))
            queues.delete_message(QueueUrl=out_url, ReceiptHandle=message["ReceiptHandle"])
    return records


def _count(queues: BaseClient, url: str) -> tuple[int, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = queues.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


def _until_empty(queues: BaseClient, url: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while _count(queues, url) != (0, 0):
        assert time.monotonic() < deadline, _count(queues, url)
        time.sleep(0.05)


def test_a_mapping_hands_batches_to_the_function_and_deletes_them(
    lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "orders")
    out_url, _ = queue_with_arn(queues, "seen")
    name = _function(lam, out_url)
    created = lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name, BatchSize=10)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating" and created["StateTransitionReason"] == "USER_INITIATED"
    assert created["FunctionArn"].endswith(f":function:{name}") and created["FunctionResponseTypes"] == []
    attributes = {"kind": {"DataType": "String", "StringValue": "order"}}
    for n in range(5):
        queues.send_message(QueueUrl=source_url, MessageBody=f"order-{n}", MessageAttributes=attributes)
    records = _forwarded(queues, out_url, 5)
    assert sorted(r["body"] for r in records) == [f"order-{n}" for n in range(5)]
    first = records[0]
    assert list(first) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]
    assert (first["eventSource"], first["eventSourceARN"], first["awsRegion"]) == (
        "aws:sqs",
        source_arn,
        "us-east-1",
    )
    assert first["messageAttributes"] == {
        "kind": {"stringValue": "order", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }
    assert first["attributes"]["ApproximateReceiveCount"] == "1"
    _until_empty(queues, source_url)
    assert lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"


def test_messages_no_filter_matches_are_deleted_without_an_invocation(
    lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "mixed")
    out_url, _ = queue_with_arn(queues, "kept")
    name = _function(lam, out_url)
    pattern = {"body": {"kind": ["order"]}}
    lam.create_event_source_mapping(
        EventSourceArn=source_arn,
        FunctionName=name,
        FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]},
    )
    queues.send_message(QueueUrl=source_url, MessageBody=json.dumps({"kind": "refund"}))
    queues.send_message(QueueUrl=source_url, MessageBody="plain text")
    queues.send_message(QueueUrl=source_url, MessageBody=json.dumps({"kind": "order", "id": 7}))
    (record,) = _forwarded(queues, out_url, 1)
    assert json.loads(record["body"]) == {"kind": "order", "id": 7}
    _until_empty(queues, source_url)  # the two that matched nothing are gone too


def test_a_failing_function_leaves_messages_to_come_back_and_end_in_the_dlq(
    lam: BaseClient, queues: BaseClient, server: ServerProcess
) -> None:
    dead_url, dead_arn = queue_with_arn(queues, "dead")
    policy = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": "2"})
    source_url, source_arn = queue_with_arn(queues, "flaky", VisibilityTimeout="5", RedrivePolicy=policy)
    out_url, _ = queue_with_arn(queues, "attempts")
    name = _function(lam, out_url, FAIL="1")
    lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name, BatchSize=1)
    queues.send_message(QueueUrl=source_url, MessageBody="doomed")
    assert _forwarded(queues, out_url, 1)[0]["attributes"]["ApproximateReceiveCount"] == "1"
    assert _count(queues, source_url) == (0, 1)  # not deleted: in flight until its visibility timeout
    server.advance(6)
    assert _forwarded(queues, out_url, 1)[0]["attributes"]["ApproximateReceiveCount"] == "2"
    server.advance(6)  # the third receive moves it to the dead-letter queue instead
    deadline = time.monotonic() + 10
    while _count(queues, dead_url)[0] != 1:
        assert time.monotonic() < deadline, (_count(queues, source_url), _count(queues, dead_url))
        time.sleep(0.05)
    assert queues.receive_message(QueueUrl=dead_url, VisibilityTimeout=0)["Messages"][0]["Body"] == "doomed"
    # The fix is deployed, and the dead-letter queue's messages are moved back to their source (the seed's
    # scenario, as the README runs it).
    fixed = FORWARDER.replace('if os.environ.get("FAIL")', "if False")
    lam.update_function_code(FunctionName=name, ZipFile=zipped(fixed))
    queues.start_message_move_task(SourceArn=dead_arn)
    (record,) = _forwarded(queues, out_url, 1)
    assert record["body"] == "doomed"
    _until_empty(queues, source_url)
    assert _count(queues, dead_url) == (0, 0)


def test_a_partial_batch_response_keeps_only_the_reported_messages(
    lam: BaseClient, queues: BaseClient, server: ServerProcess
) -> None:
    source_url, source_arn = queue_with_arn(queues, "partial", VisibilityTimeout="30")
    out_url, _ = queue_with_arn(queues, "partial-seen")
    name = _function(lam, out_url)
    queues.send_message_batch(
        QueueUrl=source_url,
        Entries=[{"Id": str(n), "MessageBody": body} for n, body in enumerate(["ok-1", "bad-2", "ok-3"])],
    )
    lam.create_event_source_mapping(
        EventSourceArn=source_arn,
        FunctionName=name,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    _forwarded(queues, out_url, 3)
    deadline = time.monotonic() + 10
    while _count(queues, source_url) != (0, 1):  # the two good ones deleted, the bad one in flight
        assert time.monotonic() < deadline, _count(queues, source_url)
        time.sleep(0.05)


def test_mapping_states_and_awss_validation(lam: BaseClient, queues: BaseClient) -> None:
    _, source_arn = queue_with_arn(queues, "validated")
    out_url, _ = queue_with_arn(queues, "unused")
    name = _function(lam, out_url)

    def refused(**arguments: Any) -> tuple[str, str, int]:
        with pytest.raises(ClientError) as raised:
            lam.create_event_source_mapping(**arguments)
        error = raised.value.response
        return error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]

    assert refused(EventSourceArn=source_arn, FunctionName="nope") == (
        "InvalidParameterValueException",
        "Function does not exist",
        400,
    )
    missing = source_arn + "-missing"
    assert refused(EventSourceArn=missing, FunctionName=name)[1].startswith(
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue."
    )
    assert refused(EventSourceArn=source_arn, FunctionName=name, BatchSize=20)[1] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
    )
    assert refused(
        EventSourceArn=source_arn, FunctionName=name, FilterCriteria={"Filters": [{"Pattern": "not json"}]}
    )[1] == ("Invalid filter pattern definition.")
    mapping = lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name, Enabled=False)
    code, message, status = refused(EventSourceArn=source_arn, FunctionName=name)
    assert (code, status) == ("ResourceConflictException", 409) and mapping["UUID"] in message
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Disabled"
    enabling = lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True, BatchSize=5)
    assert (enabling["State"], enabling["BatchSize"]) == ("Enabling", 5)
    listed = lam.list_event_source_mappings(EventSourceArn=source_arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]
    assert lam.list_event_source_mappings(FunctionName="no-such-function")["EventSourceMappings"] == []
    assert lam.delete_event_source_mapping(UUID=mapping["UUID"])["State"] == "Deleting"
    with pytest.raises(ClientError) as raised:
        lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_the_queue_must_stay_hidden_longer_than_the_function_runs(
    lam: BaseClient, queues: BaseClient
) -> None:
    _, source_arn = queue_with_arn(queues, "short", VisibilityTimeout="2")
    out_url, _ = queue_with_arn(queues, "unused")
    name = _function(lam, out_url)
    with pytest.raises(ClientError) as raised:
        lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name)
    assert raised.value.response["Error"]["Message"] == (
        "Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds"
    )


TIMED = """
import json, os, time
import boto3

def handler(event, context):
    started = time.time()
    time.sleep(0.15)
    boto3.client("sqs").send_message(
        QueueUrl=os.environ["OUT"], MessageBody=json.dumps({"start": started, "end": time.time()})
    )
"""


def test_reserved_concurrency_one_runs_one_batch_at_a_time_under_a_burst(
    lam: BaseClient, queues: BaseClient
) -> None:
    source_url, source_arn = queue_with_arn(queues, "burst")
    out_url, _ = queue_with_arn(queues, "timed")
    name = python_function(lam, TIMED, {"OUT": out_url}, "limited")
    assert (
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)[
            "ReservedConcurrentExecutions"
        ]
        == 1
    )
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 1}
    lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name, BatchSize=1)
    queues.send_message_batch(
        QueueUrl=source_url, Entries=[{"Id": str(n), "MessageBody": f"m{n}"} for n in range(8)]
    )
    spans = sorted((r["start"], r["end"]) for r in _forwarded(queues, out_url, 8))
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))  # never two at once


def test_reserved_concurrency_zero_throttles_direct_invokes(lam: BaseClient, queues: BaseClient) -> None:
    out_url, _ = queue_with_arn(queues, "never")
    name = _function(lam, out_url)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName=name, Payload=b"{}")
    error = raised.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "TooManyRequestsException",
        429,
    )
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    assert lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions") is None
    assert lam.invoke(FunctionName=name, Payload=b"{}")["StatusCode"] == 200


def test_operators_see_mapping_counters_and_function_invocations(
    lam: BaseClient, queues: BaseClient, server: ServerProcess
) -> None:
    source_url, source_arn = queue_with_arn(queues, "watched")
    out_url, _ = queue_with_arn(queues, "watched-out")
    name = _function(lam, out_url)
    pattern = json.dumps({"body": [{"prefix": "keep"}]})
    mapping = lam.create_event_source_mapping(
        EventSourceArn=source_arn, FunctionName=name, FilterCriteria={"Filters": [{"Pattern": pattern}]}
    )
    queues.send_message_batch(
        QueueUrl=source_url,
        Entries=[{"Id": "a", "MessageBody": "keep-1"}, {"Id": "b", "MessageBody": "drop-1"}],
    )
    _forwarded(queues, out_url, 1)
    deadline = time.monotonic() + 10
    while True:  # the counters move when the poller is done with the batch, just after the function returns
        status, body = server.admin("GET", f"/admin/lambda/mappings/{mapping['UUID']}")
        stats = body["stats"]
        if stats["invocations"] == 1 and stats["concurrency_now"] == 0:
            break
        assert time.monotonic() < deadline, stats
        time.sleep(0.02)
    assert status == 200 and body["State"] == "Enabled"
    assert (stats["records"], stats["filtered"], stats["invocations"], stats["errors"]) == (2, 1, 1, 0)
    assert stats["concurrency_max"] >= 1 and stats["duration_ms_p50"] is not None
    status, body = server.admin("GET", f"/admin/lambda/functions/{name}/invocations")
    (invocation,) = body["invocations"]
    assert invocation["source"] == mapping["UUID"] and invocation["error_type"] is None
    assert invocation["log"].startswith("INIT_START Runtime Version: python3.12")  # a cold worker's first log
    assert server.admin("GET", "/admin/lambda/mappings/no-such-uuid")[0] == 404


FIFO_HANDLER = """
import json, os
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    for record in event["Records"]:
        sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(record))
        if record["body"] == "g1-2" and record["attributes"]["ApproximateReceiveCount"] == "1":
            raise RuntimeError("g1-2 fails the first time")
"""


def test_fifo_groups_keep_their_order_and_a_failed_group_waits(
    lam: BaseClient, queues: BaseClient, server: ServerProcess
) -> None:
    url, arn = queue_with_arn(
        queues, "ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true", VisibilityTimeout="30"
    )
    out_url, _ = queue_with_arn(queues, "order-seen")
    name = python_function(lam, FIFO_HANDLER, {"OUT": out_url}, "fifo")
    for body in ("g1-1", "g2-1", "g1-2", "g2-2", "g1-3", "g2-3"):
        queues.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=body[:2])
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, BatchSize=1)
    seen = [record["body"] for record in _forwarded(queues, out_url, 5)]
    assert [b for b in seen if b.startswith("g2")] == ["g2-1", "g2-2", "g2-3"]
    assert [b for b in seen if b.startswith("g1")] == ["g1-1", "g1-2"]  # g1-3 waits behind the failure
    assert not queues.receive_message(QueueUrl=out_url, WaitTimeSeconds=1).get("Messages")
    server.advance(31)  # g1-2's visibility timeout runs out: it is retried, and then g1-3 follows
    retried = [
        (r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in _forwarded(queues, out_url, 2)
    ]
    assert retried == [("g1-2", "2"), ("g1-3", "1")]
    _until_empty(queues, url)
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_mapping_resumes_after_kill_9_without_losing_messages(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path / "data").start()
    lam, queues = lambda_client(first.url), sqs_client(first.url, "json")
    url, arn = queue_with_arn(queues, "durable", VisibilityTimeout="3")
    out_url, _ = queue_with_arn(queues, "durable-seen")
    name = _function(lam, out_url)
    bodies = {f"message {n}" for n in range(200)}
    ordered = sorted(bodies)
    for start in range(0, len(ordered), 10):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(ordered[start : start + 10])]
        queues.send_message_batch(QueueUrl=url, Entries=entries)
    lam.create_event_source_mapping(
        FunctionName=name, EventSourceArn=arn, BatchSize=10, ScalingConfig={"MaximumConcurrency": 5}
    )
    seen = [r["body"] for r in _forwarded(queues, out_url, 20)]  # processing has begun
    first.kill()  # mid-stream: some batches are in flight, none acknowledged to anyone
    with ServerProcess(tmp_path / "data", port=first.port).start() as second:
        queues = sqs_client(second.url, "json")
        deadline = time.monotonic() + 30
        while set(seen) != bodies:
            assert time.monotonic() < deadline, f"{len(bodies - set(seen))} messages never processed"
            seen += [r["body"] for r in _forwarded(queues, out_url, 1)]
        _until_empty(queues, url)
        # A batch in flight at the kill (five at most) runs again (at least once); nothing else runs twice.
        assert len(seen) - len(bodies) <= 5 * 10


SLOW = """
import time

def handler(event, context):
    time.sleep(0.2)
"""


def _drained_by_a_scaling_mapping(
    lam: BaseClient,
    queues: BaseClient,
    server: ServerProcess,
    count: int,
    sleep_s: float,
    maximum_concurrency: int,
) -> dict[str, int]:
    """A backlog of `count` messages drained one per invocation by a handler sleeping `sleep_s`, under
    MaximumConcurrency; the mapping's counters afterwards."""
    url, arn = queue_with_arn(queues, "backlog")
    for start in range(0, count, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        queues.send_message_batch(QueueUrl=url, Entries=entries)
    name = python_function(lam, SLOW.replace("0.2", str(sleep_s)), {}, "slow")
    mapping = lam.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=arn,
        BatchSize=1,
        ScalingConfig={"MaximumConcurrency": maximum_concurrency},
    )
    _until_empty(queues, url, timeout=60)
    stats: dict[str, int] = server.admin("GET", f"/admin/lambda/mappings/{mapping['UUID']}")[1]["stats"]
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    return stats


def test_a_backlog_scales_the_mapping_beyond_five_up_to_its_maximum_concurrency(
    lam: BaseClient, queues: BaseClient, server: ServerProcess
) -> None:
    stats = _drained_by_a_scaling_mapping(lam, queues, server, 80, 0.2, 8)
    assert stats["concurrency_max"] == 8  # five to start with, then more while batches came back full
    assert stats["invocations"] == 80 and stats["errors"] == 0


def test_a_maximum_concurrency_above_the_default_ceiling_is_honoured(
    lam: BaseClient, queues: BaseClient, server: ServerProcess
) -> None:
    stats = _drained_by_a_scaling_mapping(lam, queues, server, 300, 0.5, 25)
    assert stats["concurrency_max"] == 25  # past the 20 loops a mapping gets without asking


COUNTER = """
import json, os
import boto3

def handler(event, context):
    size = sum(len(r["body"]) for r in event["Records"])
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps([len(event["Records"]), size]))
"""


@pytest.mark.parametrize(("count", "body_size"), [(150, 10), (80, 200_000)])
def test_large_batches_fill_up_to_the_payload_cap(
    lam: BaseClient, queues: BaseClient, count: int, body_size: int
) -> None:
    """BatchSize 100: a backlog of small messages arrives in full batches of 100; large ones stop near 6 MB."""
    source_url, source_arn = queue_with_arn(queues, "big", VisibilityTimeout="60")
    out_url, _ = queue_with_arn(queues, "sizes")
    for n in range(count):
        queues.send_message(QueueUrl=source_url, MessageBody=f"{n:05d}".ljust(body_size, "x"))
    name = python_function(lam, COUNTER, {"OUT": out_url}, "counter")
    lam.create_event_source_mapping(
        EventSourceArn=source_arn, FunctionName=name, BatchSize=100, MaximumBatchingWindowInSeconds=1
    )
    batches: list[list[int]] = []
    deadline = time.monotonic() + 30
    while sum(n for n, _ in batches) < count:
        assert time.monotonic() < deadline, f"batches so far: {batches}"
        for message in queues.receive_message(
            QueueUrl=out_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            batches.append(json.loads(message["Body"]))
            queues.delete_message(QueueUrl=out_url, ReceiptHandle=message["ReceiptHandle"])
    if body_size < 1000:
        assert max(n for n, _ in batches) == 100
    else:  # one claim of the gather may overshoot the cap by at most one body
        assert all(size <= 6 * 1024 * 1024 + body_size for _, size in batches), batches
