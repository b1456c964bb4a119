"""Export all state to a JSON document and import it back: into the same server after a reset, and into a new
server, everything is as it was (queues and their messages, ids and receive counts included; topics,
subscriptions and their filters; functions that still run, and their mappings; IAM roles; log groups). A
document that is not one, or of another schema version, is refused and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.clients import lambda_client, sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_iam import iam_client
from tests.test_lambda_functions import python_function
from tests.test_logs import logs_client


def _build(server: ServerProcess) -> dict[str, Any]:
    sqs, sns, lambda_ = sqs_client(server.url, "json"), sns_client(server.url), lambda_client(server.url)
    url = sqs.create_queue(QueueName="kept", Attributes={"VisibilityTimeout": "40"}, tags={"a": "b"})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    ids = [sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"] for body in ("one", "two")]
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=0)
    topic = sns.create_topic(Name="kept-topic")["TopicArn"]
    subscription = sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": '{"k": ["v"]}'}
    )["SubscriptionArn"]
    function = python_function(lambda_, "def handler(event, context):\n    return {'echo': event}\n", {})
    mapping = lambda_.create_event_source_mapping(FunctionName=function, EventSourceArn=arn, Enabled=False)[
        "UUID"
    ]
    iam_client(server.url).create_role(
        RoleName="kept-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )
    logs_client(server.url).create_log_group(logGroupName="/kept/group")
    return {"url": url, "ids": ids, "subscription": subscription, "mapping": mapping, "function": function}


def _check(server: ServerProcess, made: dict[str, Any]) -> None:
    sqs, sns, lambda_ = sqs_client(server.url, "json"), sns_client(server.url), lambda_client(server.url)
    url = sqs.get_queue_url(QueueName="kept")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "40"
    }
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"a": "b"}
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(
        (m["MessageId"], m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in messages
    ) == sorted([(made["ids"][0], "one", "2"), (made["ids"][1], "two", "1")])
    attributes = sns.get_subscription_attributes(SubscriptionArn=made["subscription"])["Attributes"]
    assert attributes["FilterPolicy"] == '{"k": ["v"]}'
    reply = lambda_.invoke(FunctionName=made["function"], Payload=b'{"x": 1}')
    assert json.loads(reply["Payload"].read()) == {"echo": {"x": 1}}
    assert lambda_.get_event_source_mapping(UUID=made["mapping"])["State"] == "Disabled"
    assert iam_client(server.url).get_role(RoleName="kept-role")["Role"]["RoleName"] == "kept-role"
    groups = logs_client(server.url).describe_log_groups(logGroupNamePrefix="/kept")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/kept/group"]


def test_a_round_trip_through_the_same_server_and_a_new_one(tmp_path: Path) -> None:
    # Servers of its own: the session's server has a clock tests moved ahead, and times are exported as they are.
    with ServerProcess(tmp_path / "first").start() as server:
        _round_trip(server, tmp_path)


def _round_trip(server: ServerProcess, tmp_path: Path) -> None:
    made = _build(server)
    status, document = server.admin("GET", "/admin/state")
    assert status == 200 and document["format"] == "posthouse-state"
    server.admin("POST", "/admin/reset", {})
    assert sqs_client(server.url, "json").list_queues().get("QueueUrls", []) == []
    status, reply = server.admin("POST", "/admin/state", document)
    assert status == 200 and reply["imported_rows"] > 0, reply
    _check(server, made)
    with ServerProcess(tmp_path / "elsewhere").start() as other:
        assert other.admin("POST", "/admin/state", document)[0] == 200
        _check(other, made)


def test_what_is_not_a_state_document_is_refused_and_changes_nothing(server: ServerProcess) -> None:
    queue = sqs_client(server.url, "json").create_queue(QueueName="stays")["QueueUrl"]
    for document, said in (
        ({"format": "other"}, 'not a Posthouse state document (its "format" must be "posthouse-state")'),
        (
            {"format": "posthouse-state", "schema_version": 1, "tables": {}},
            "the document is of schema version 1",
        ),
    ):
        status, reply = server.admin("POST", "/admin/state", document)
        assert status == 400 and said in reply["error"]
    _, document = server.admin("GET", "/admin/state")
    injected = {"columns": ['id" FROM queues; --'], "rows": [[1]]}
    status, reply = server.admin("POST", "/admin/state", document | {"tables": {"queues": injected}})
    assert status == 400 and "columns must be distinct names of its columns" in reply["error"]
    document["tables"]["queues"]["rows"].append(["not", "a", "row"])
    status, reply = server.admin("POST", "/admin/state", document)
    assert status == 400 and reply["error"].startswith("not imported: table queues")
    assert sqs_client(server.url, "json").get_queue_url(QueueName="stays")["QueueUrl"] == queue
