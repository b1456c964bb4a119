"""Admin REST routes: inspection without side effects, clock control, reset."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import pytest
from botocore.client import BaseClient

from conformance.clients import sqs_client
from tests.harness import ServerProcess


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A second server: in memory, with the real clock."""
    process = ServerProcess(tmp_path / "plain", "--in-memory").start()
    yield process
    process.stop()


def test_queue_listing_with_counts(server: ServerProcess, sqs: BaseClient, queue_url: str) -> None:
    name = queue_url.rsplit("/", 1)[1]
    sqs.send_message(QueueUrl=queue_url, MessageBody="visible")
    sqs.send_message(QueueUrl=queue_url, MessageBody="delayed", DelaySeconds=60)
    sqs.send_message(QueueUrl=queue_url, MessageBody="to receive")
    sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=300)
    status, body = server.admin("GET", "/admin/sqs/queues?region=us-east-1")
    assert status == 200
    (summary,) = [q for q in body["queues"] if q["name"] == name]
    assert (summary["visible"], summary["in_flight"], summary["delayed"]) == (1, 1, 1)
    assert summary["account"] == "000000000000"
    status, detail = server.admin("GET", f"/admin/sqs/queues/000000000000/us-east-1/{name}")
    assert status == 200
    assert detail["attributes"]["VisibilityTimeout"] == "30"


def test_peek_changes_nothing(server: ServerProcess, sqs: BaseClient, queue_url: str) -> None:
    name = queue_url.rsplit("/", 1)[1]
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="look at me",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    path = f"/admin/sqs/queues/000000000000/us-east-1/{name}/messages"
    for _ in range(2):
        status, body = server.admin("GET", path)
        assert status == 200
        (message,) = body["messages"]
        assert (message["body"], message["state"], message["receive_count"]) == ("look at me", "visible", 0)
        assert message["attributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    received = sqs.receive_message(QueueUrl=queue_url, AttributeNames=["ApproximateReceiveCount"])[
        "Messages"
    ][0]
    assert received["Attributes"]["ApproximateReceiveCount"] == "1"
    (message,) = server.admin("GET", path)[1]["messages"]
    assert (message["state"], message["receive_count"]) == ("in_flight", 1)


def test_unknown_queue_is_404(server: ServerProcess) -> None:
    status, body = server.admin("GET", "/admin/sqs/queues/000000000000/us-east-1/never-made")
    assert status == 404
    assert body["error"] == "AWS.SimpleQueueService.NonExistentQueue"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/admin/sqs/queues/000000000000/us-east-1/q/extra", 404),
        ("GET", "/admin/nothing", 404),
        ("GET", "/admin/reset", 405),
    ],
)
def test_unknown_routes_answer_json(server: ServerProcess, method: str, path: str, status: int) -> None:
    assert server.admin(method, path) == (status, {"error": HTTPStatus(status).phrase})


def test_clock_rejects_bad_input(server: ServerProcess, sqs: BaseClient, queue_url: str) -> None:
    assert server.admin("POST", "/admin/clock", {"advance_seconds": -1})[0] == 400
    assert server.admin("POST", "/admin/clock", {"nothing": 1})[0] == 400
    # Far past what 64-bit milliseconds hold (it used to make every later send fail until restart).
    for absurd in (1e300, "1e400", "nan"):
        assert server.admin("POST", "/admin/clock", {"advance_seconds": absurd})[0] == 400
    sqs.send_message(QueueUrl=queue_url, MessageBody="the clock still works")


@pytest.mark.parametrize(
    "limit", ["abc", "-1", "0", "1001", "\u00b2", pytest.param("9" * 5000, id="5000-digits"), "1.5"]
)
def test_peek_refuses_a_bad_limit(server: ServerProcess, queue_url: str, limit: str) -> None:
    name = queue_url.rsplit("/", 1)[1]
    path = f"/admin/sqs/queues/000000000000/us-east-1/{name}/messages?limit={quote(limit)}"
    status, body = server.admin("GET", path)
    assert status == 400
    assert "limit" in body["error"]


def test_peek_honours_its_limit(server: ServerProcess, sqs: BaseClient, queue_url: str) -> None:
    name = queue_url.rsplit("/", 1)[1]
    for n in range(3):
        sqs.send_message(QueueUrl=queue_url, MessageBody=str(n))
    path = f"/admin/sqs/queues/000000000000/us-east-1/{name}/messages?limit=2"
    assert [m["body"] for m in server.admin("GET", path)[1]["messages"]] == ["0", "1"]


def test_clock_is_off_by_default_and_reset_wipes(plain_server: ServerProcess) -> None:
    assert plain_server.admin("POST", "/admin/clock", {"advance_seconds": 5})[0] == 404
    sqs = sqs_client(plain_server.url, "json")
    url = sqs.create_queue(QueueName="wiped")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert plain_server.admin("POST", "/admin/reset") == (200, {"reset": True})
    assert "QueueUrls" not in sqs.list_queues()
    url = sqs.create_queue(QueueName="wiped")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_queue(QueueUrl=url)
    sqs.create_queue(QueueName="wiped")  # by default a deleted name can be reused at once


def test_peek_shows_fifo_fields(
    server: ServerProcess, sqs: BaseClient, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("peek") + ".fifo"
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g", MessageDeduplicationId="d")
    (message,) = server.admin("GET", f"/admin/sqs/queues/000000000000/us-east-1/{name}/messages")[1][
        "messages"
    ]
    assert (message["group_id"], message["deduplication_id"]) == ("g", "d")
    assert message["sequence_number"] == sent["SequenceNumber"]
    assert "dead_letter_source_arn" not in message
