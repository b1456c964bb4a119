"""Versions, aliases and resource policies as boto3's `lambda` client drives them: a published version keeps
its code, an alias runs the version it names and follows it when moved, a permission is a policy statement."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.lambda_.conftest import wait_active, wait_updated, zipped

pytestmark = pytest.mark.client("boto3")

SAYS = """
def handler(event, context):
    return {"says": "%s", "version": context.function_version}
"""


def _run(lam: BaseClient, name: str, **extra: str) -> tuple[dict[str, str], str]:
    reply = lam.invoke(FunctionName=name, Payload=b"{}", **extra)
    return json.loads(reply["Payload"].read()), reply["ExecutedVersion"]


def _new_code(lam: BaseClient, name: str, word: str) -> None:
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"handler.py": SAYS % word}))
    wait_updated(lam, name)


def test_published_version_keeps_its_code(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """PublishVersion: 201, version 1 runs its own code after $LATEST changes"""
    name = make_function(SAYS % "one")
    published = lam.publish_version(FunctionName=name)
    assert (published["ResponseMetadata"]["HTTPStatusCode"], published["Version"]) == (201, "1")
    wait_active(lam, f"{name}:1")
    _new_code(lam, name, "two")
    assert _run(lam, name, Qualifier="1") == ({"says": "one", "version": "1"}, "1")
    assert _run(lam, name) == ({"says": "two", "version": "$LATEST"}, "$LATEST")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1"]


def test_alias_follows_its_version(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """An alias runs the version it names, and the new one once updated"""
    name = make_function(SAYS % "one")
    lam.publish_version(FunctionName=name)
    wait_active(lam, f"{name}:1")
    _new_code(lam, name, "two")
    lam.publish_version(FunctionName=name)
    wait_active(lam, f"{name}:2")
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(f":{name}:live")
    assert _run(lam, f"{name}:live") == ({"says": "one", "version": "1"}, "1")
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert _run(lam, name, Qualifier="live") == ({"says": "two", "version": "2"}, "2")
    lam.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(ClientError) as excinfo:
        lam.get_alias(FunctionName=name, Name="live")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_resource_policy(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """AddPermission answers the statement; GetPolicy lists it; RemovePermission takes it out"""
    name = make_function(SAYS % "p")
    topic = "arn:aws:sns:us-east-1:123456789012:conf-topic"
    added = lam.add_permission(
        FunctionName=name,
        StatementId="conf-sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic,
    )
    statement = json.loads(added["Statement"])
    assert (statement["Sid"], statement["Effect"], statement["Principal"]) == (
        "conf-sns",
        "Allow",
        {"Service": "sns.amazonaws.com"},
    )
    assert statement["Condition"] == {"ArnLike": {"AWS:SourceArn": topic}}
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["conf-sns"]
    lam.remove_permission(FunctionName=name, StatementId="conf-sns")
    with pytest.raises(ClientError) as excinfo:
        lam.get_policy(FunctionName=name)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
