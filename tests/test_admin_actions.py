"""The admin API's actions and views: send, purge, redrive (start, list, cancel), dead-letter sources, what
consumers took, peek filters, the age of the oldest message, per-service reset; refusals in JSON with the right
status; and the OpenAPI 3.1 document, generated from the routes and valid against the specification."""

from __future__ import annotations

import time
from typing import Any

from openapi_spec_validator import validate

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_sns_topics import unique

Q = "/admin/sqs/queues/000000000000/us-east-1/"


def _queue(server: ServerProcess, **attributes: str) -> tuple[Any, str, str]:
    sqs = sqs_client(server.url, "json")
    name = unique("q")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return sqs, url, name


def test_send_peek_with_filters_and_history(server: ServerProcess) -> None:
    sqs, url, name = _queue(server)
    tagged = {"kind": {"DataType": "String", "StringValue": "order"}}
    status, sent = server.admin("POST", Q + name + "/send", {"body": "one", "attributes": tagged})
    assert status == 200 and len(sent["MessageId"]) == 36
    server.admin("POST", Q + name + "/send", {"body": "two"})
    status, refused = server.admin("POST", Q + name + "/send", {"body": ""})
    assert (status, refused["error"]) == (400, "MissingParameter")  # as SQS answers an empty body
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    _, peeked = server.admin("GET", Q + name + "/messages?attribute=kind=order")
    assert [m["body"] for m in peeked["messages"]] == []  # "one" was received and deleted
    _, peeked = server.admin("GET", Q + name + "/messages?state=visible")
    assert [m["body"] for m in peeked["messages"]] == ["two"]
    _, taken = server.admin("GET", Q + name + "/history")
    (entry,) = taken["messages"]
    assert (entry["body"], entry["receive_count"]) == ("one", 1) and entry["deleted_ms"] is not None
    _, listed = server.admin("GET", "/admin/sqs/queues")
    (summary,) = [q for q in listed["queues"] if q["name"] == name]
    assert (summary["visible"], summary["sent"], summary["deleted"]) == (1, 2, 1)
    assert summary["oldest_message_age_s"] is not None


def test_purge_and_redrive(server: ServerProcess) -> None:
    sqs, dead_url, dead = _queue(server)
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = f'{{"deadLetterTargetArn": "{dead_arn}", "maxReceiveCount": 1}}'
    _, source_url, source = _queue(server, RedrivePolicy=policy)
    _, sources = server.admin("GET", Q + dead + "/dead-letter-sources")
    assert [s["max_receive_count"] for s in sources["sources"]] == [1]
    for body in ("a", "b"):
        server.admin("POST", Q + dead + "/send", {"body": body})
    source_arn = dead_arn.rsplit(":", 1)[0] + ":" + source
    status, started = server.admin("POST", Q + dead + "/move-tasks", {"destination_arn": source_arn})
    assert status == 200 and "TaskHandle" in started
    for _ in range(100):
        _, tasks = server.admin("GET", Q + dead + "/move-tasks")
        if tasks["Results"][0]["Status"] == "COMPLETED":
            break
        time.sleep(0.05)
    assert tasks["Results"][0]["ApproximateNumberOfMessagesMoved"] == 2
    assert sorted(
        m["Body"] for m in sqs.receive_message(QueueUrl=source_url, MaxNumberOfMessages=10)["Messages"]
    ) == [
        "a",
        "b",
    ]
    status, _ = server.admin("POST", Q + source + "/purge", {})
    assert status == 200
    status, refused = server.admin("POST", Q + dead + "/move-tasks/cancel", {"task_handle": "nonsense"})
    assert status == 400 and refused["error"]


def test_reset_one_service(server: ServerProcess) -> None:
    sqs, _, name = _queue(server)
    sns = sns_client(server.url)
    topic = sns.create_topic(Name=unique())["TopicArn"]
    status, reply = server.admin("POST", "/admin/reset/sns", {})
    assert (status, reply) == (200, {"reset": "sns"})
    assert topic not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert any(u.endswith("/" + name) for u in sqs.list_queues()["QueueUrls"])
    assert server.admin("POST", "/admin/reset/nothing", {})[0] == 404
    assert server.admin("GET", Q + "never-made/messages")[0] == 404


def test_the_openapi_document_is_valid_and_lists_every_route(server: ServerProcess) -> None:
    status, spec = server.admin("GET", "/admin/openapi.json")
    assert status == 200
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    paths = spec["paths"]
    assert "post" in paths["/admin/sqs/queues/{account}/{region}/{name}/send"]
    assert paths["/admin/sqs/queues/{account}/{region}/{name}/history"]["get"]["summary"].startswith(
        "What consumers"
    )
    assert {"/metrics", "/_aws/sqs/messages", "/admin/reset/{service}", "/admin/openapi.json"} <= set(paths)
