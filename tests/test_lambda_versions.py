"""Function versions and aliases through boto3: PublishVersion snapshots `$LATEST` (code and configuration),
an alias names a version and can move, and a qualified name or ARN (`fn:2`, `fn:live`) runs what it names —
for Invoke, Event invocations and event-source mappings — and survives a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import lambda_client, sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function, zipped
from tests.test_lambda_mappings import queue_with_arn

SAYS = """
import os

def handler(event, context):
    return {"says": "%s", "version": context.function_version, "env": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
"""


def says(word: str) -> str:
    return SAYS % word


def invoked(lam: BaseClient, name: str, **extra: str) -> tuple[dict[str, str], str]:
    reply = lam.invoke(FunctionName=name, Payload=b"{}", **extra)
    return json.loads(reply["Payload"].read()), reply["ExecutedVersion"]


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_publish_snapshots_latest_and_versions_run_their_own_code(lam: BaseClient) -> None:
    name = python_function(lam, says("one"), {})
    first = lam.publish_version(FunctionName=name, Description="first")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (first["Version"], first["Description"]) == ("1", "first")
    assert first["FunctionArn"].endswith(f":function:{name}:1")
    # Nothing changed: publishing again gives the same version.
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_code(FunctionName=name, ZipFile=zipped(says("two")))
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    lam.update_function_code(FunctionName=name, ZipFile=zipped(says("three")))
    assert invoked(lam, name) == ({"says": "three", "version": "$LATEST", "env": "$LATEST"}, "$LATEST")
    assert invoked(lam, name, Qualifier="1") == ({"says": "one", "version": "1", "env": "1"}, "1")
    assert invoked(lam, f"{name}:2")[0]["says"] == "two"
    listed = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST", "1", "2"]
    assert lam.get_function_configuration(FunctionName=name, Qualifier="2")["Version"] == "2"
    assert lam.get_function(FunctionName=f"{name}:1")["Configuration"]["Description"] == "first"


def test_publish_checks_code_and_revision(lam: BaseClient) -> None:
    name = python_function(lam, says("x"), {})
    with pytest.raises(ClientError) as excinfo:
        lam.publish_version(FunctionName=name, CodeSha256="not-the-hash")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("CodeSHA256 (not-the-hash) is different from current CodeSHA256 in $LATEST")
    with pytest.raises(ClientError) as excinfo:
        lam.publish_version(FunctionName=name, RevisionId="stale")
    assert error_of(excinfo)[:2] == ("PreconditionFailedException", 412)


def test_create_and_update_code_can_publish(lam: BaseClient) -> None:
    name = python_function(lam, says("a"), {}, Publish=True)
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == [
        "$LATEST",
        "1",
    ]
    published = lam.update_function_code(FunctionName=name, ZipFile=zipped(says("b")), Publish=True)
    assert published["Version"] == "2"
    assert invoked(lam, name, Qualifier="2")[0]["says"] == "b"


def test_an_alias_names_a_version_and_moves(lam: BaseClient, server: ServerProcess) -> None:
    name = python_function(lam, says("v1"), {})
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped(says("v2")))
    lam.publish_version(FunctionName=name)
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="prod")
    assert alias["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert alias["AliasArn"].endswith(f":function:{name}:live")
    assert invoked(lam, name, Qualifier="live") == ({"says": "v1", "version": "1", "env": "1"}, "1")
    moved = lam.update_alias(
        FunctionName=name, Name="live", FunctionVersion="2", RevisionId=alias["RevisionId"]
    )
    assert moved["RevisionId"] != alias["RevisionId"]
    assert invoked(lam, f"{name}:live") == ({"says": "v2", "version": "2", "env": "2"}, "2")
    assert lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "2"
    lam.create_alias(FunctionName=name, Name="edge", FunctionVersion="$LATEST")
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]] == ["edge", "live"]
    _, listed = server.admin("GET", "/admin/lambda/functions")
    (shown,) = [f for f in listed["functions"] if f["name"] == name]
    assert (shown["versions"], shown["aliases"]) == (["1", "2"], {"edge": "$LATEST", "live": "2"})
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]] == [
        "live"
    ]
    lam.delete_alias(FunctionName=name, Name="edge")
    with pytest.raises(ClientError) as excinfo:
        lam.get_alias(FunctionName=name, Name="edge")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        f"Cannot find alias arn: {alias['AliasArn'].rsplit(':', 1)[0]}:edge",
    )


def test_alias_and_version_errors(lam: BaseClient) -> None:
    name = python_function(lam, says("x"), {})
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as excinfo:
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(excinfo)[:2] == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as excinfo:
        lam.create_alias(FunctionName=name, Name="next", FunctionVersion="9")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as excinfo:
        lam.create_alias(FunctionName=name, Name="123", FunctionVersion="1")  # all digits: a version's name
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        lam.invoke(FunctionName=name, Qualifier="7")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as excinfo:
        lam.update_alias(FunctionName=name, Name="live", RevisionId="stale")
    assert error_of(excinfo)[:2] == ("PreconditionFailedException", 412)
    with pytest.raises(ClientError) as excinfo:
        lam.delete_function(FunctionName=name, Qualifier="1")  # the alias still names it
    assert error_of(excinfo) == (
        "ResourceConflictException",
        409,
        "Unable to delete version because the following aliases reference it: ['live']",
    )
    with pytest.raises(ClientError) as excinfo:
        lam.delete_function(FunctionName=name, Qualifier="$LATEST")
    assert error_of(excinfo)[:2] == ("InvalidParameterValueException", 400)
    lam.delete_alias(FunctionName=name, Name="live")
    lam.delete_function(FunctionName=name, Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == ["$LATEST"]
    # Version numbers are never reused.
    lam.update_function_code(FunctionName=name, ZipFile=zipped(says("y")))
    assert lam.publish_version(FunctionName=name)["Version"] == "2"


def test_a_mapping_on_an_alias_follows_it(lam: BaseClient, server: ServerProcess) -> None:
    queues = sqs_client(server.url, "json")
    source_url, source_arn = queue_with_arn(queues, "alias-src")
    out_url, _ = queue_with_arn(queues, "alias-out")
    forward = """
import boto3

def handler(event, context):
    for record in event["Records"]:
        boto3.client("sqs").send_message(QueueUrl=%r, MessageBody="%s:" + context.function_version)
"""
    name = python_function(lam, forward % (out_url, "old"), {})
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped(forward % (out_url, "new")))
    lam.publish_version(FunctionName=name)
    alias_arn = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")["AliasArn"]
    mapping = lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName=alias_arn, BatchSize=1)
    assert mapping["FunctionArn"] == alias_arn

    def next_body() -> str:
        got = queues.receive_message(QueueUrl=out_url, WaitTimeSeconds=10).get("Messages", [])
        assert got, "nothing forwarded"
        queues.delete_message(QueueUrl=out_url, ReceiptHandle=got[0]["ReceiptHandle"])
        return str(got[0]["Body"])

    queues.send_message(QueueUrl=source_url, MessageBody="a")
    assert next_body() == "old:1"
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    queues.send_message(QueueUrl=source_url, MessageBody="b")
    assert next_body() == "new:2"
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    # An Event invocation of a version runs that version, after the 202.
    event = json.dumps({"Records": [{"body": "c"}]}).encode()
    assert lam.invoke(FunctionName=f"{name}:1", InvocationType="Event", Payload=event)["StatusCode"] == 202
    assert next_body() == "old:1"


def test_versions_and_aliases_survive_a_restart(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path / "data").start()
    lam = lambda_client(first.url)
    name = python_function(lam, says("kept"), {})
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lam.update_function_code(FunctionName=name, ZipFile=zipped(says("later")))
    first.stop()
    with ServerProcess(tmp_path / "data", port=first.port).start() as second:
        lam = lambda_client(second.url)
        assert invoked(lam, name, Qualifier="live") == ({"says": "kept", "version": "1", "env": "1"}, "1")
        assert invoked(lam, name)[0]["says"] == "later"
        # The counter survives too: the next version is 2.
        assert lam.publish_version(FunctionName=name)["Version"] == "2"


def test_an_alias_shifts_its_share_of_traffic_to_a_second_version(lam: BaseClient) -> None:
    name = python_function(lam, says("blue"), {})
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped(says("green")))
    lam.publish_version(FunctionName=name)
    lam.create_alias(
        FunctionName=name,
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}},
    )
    assert {invoked(lam, name, Qualifier="live")[1] for _ in range(5)} == {"2"}
    # What the alias names is still version 1; only invocations are shifted.
    assert lam.get_function_configuration(FunctionName=name, Qualifier="live")["Version"] == "1"
    lam.update_alias(FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    assert {invoked(lam, name, Qualifier="live")[1] for _ in range(40)} == {"1", "2"}
    routing = lam.get_alias(FunctionName=name, Name="live")["RoutingConfig"]
    assert routing == {"AdditionalVersionWeights": {"2": 0.5}}
    lam.update_alias(FunctionName=name, Name="live", RoutingConfig={})
    assert {invoked(lam, name, Qualifier="live")[1] for _ in range(5)} == {"1"}
    assert "RoutingConfig" not in lam.get_alias(FunctionName=name, Name="live")


@pytest.mark.parametrize(
    ("target", "weights", "code"),
    [
        ("1", {"1": 0.5}, "InvalidParameterValueException"),  # the same version twice
        ("$LATEST", {"1": 0.5}, "InvalidParameterValueException"),
        ("1", {"9": 0.5}, "ResourceNotFoundException"),
        ("1", {"2": 0.5, "3": 0.1}, "InvalidParameterValueException"),
        ("1", {"2": 1.5}, "ValidationException"),
    ],
)
def test_traffic_shifting_rules(lam: BaseClient, target: str, weights: dict[str, float], code: str) -> None:
    name = python_function(lam, says("x"), {})
    for word in ("y", "z"):
        lam.publish_version(FunctionName=name)
        lam.update_function_code(FunctionName=name, ZipFile=zipped(says(word)))
    lam.publish_version(FunctionName=name)
    with pytest.raises(ClientError) as excinfo:
        lam.create_alias(
            FunctionName=name,
            Name="a",
            FunctionVersion=target,
            RoutingConfig={"AdditionalVersionWeights": weights},
        )
    assert error_of(excinfo)[0] == code


def test_list_functions_with_every_version(lam: BaseClient) -> None:
    prefix = python_function(lam, says("p"), {})  # its name is a prefix of the second one's
    second = python_function(lam, says("q"), {}, prefix=prefix)
    for name in (prefix, second):
        lam.publish_version(FunctionName=name)
    mine = {prefix, second}

    def listed(**extra: object) -> list[tuple[str, str, str]]:
        found, marker = [], None
        while True:
            page = lam.list_functions(MaxItems=1, **extra, **({"Marker": marker} if marker else {}))
            found += [(f["FunctionName"], f["Version"], f["FunctionArn"]) for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                return [entry for entry in found if entry[0] in mine]

    assert [(n, v) for n, v, _ in listed()] == [(prefix, "$LATEST"), (second, "$LATEST")]
    every = listed(FunctionVersion="ALL")
    assert [(n, v) for n, v, _ in every] == [
        (prefix, "$LATEST"),
        (prefix, "1"),
        (second, "$LATEST"),
        (second, "1"),
    ]
    assert every[0][2].endswith(f":{prefix}:$LATEST") and every[1][2].endswith(f":{prefix}:1")
