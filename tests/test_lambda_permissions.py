"""A function's resource-based policy through boto3, as Terraform's aws_lambda_permission and CDK's SNS and
S3 integrations call it: AddPermission answers AWS's statement, GetPolicy the whole policy, RemovePermission
takes a statement out; per qualifier, with AWS's errors."""

from __future__ import annotations

import json

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.test_lambda_functions import python_function
from tests.test_lambda_versions import error_of

SOURCE = "def handler(event, context):\n    return None\n"


def test_statements_as_aws_lays_them_out(lam: BaseClient) -> None:
    name = python_function(lam, SOURCE, {})
    arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    topic = "arn:aws:sns:us-east-1:000000000000:orders"
    added = lam.add_permission(
        FunctionName=name,
        StatementId="sns-invoke",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic,
        SourceAccount="000000000000",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "sns-invoke",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": "000000000000"},
            "ArnLike": {"AWS:SourceArn": topic},
        },
    }
    lam.add_permission(FunctionName=name, StatementId="other", Action="lambda:*", Principal="123456789012")
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert (policy["Version"], policy["Id"]) == ("2012-10-17", "default")
    assert [s["Sid"] for s in policy["Statement"]] == ["sns-invoke", "other"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    # Kept with the function, not shown in its configuration.
    assert "Policies" not in lam.get_function_configuration(FunctionName=name)
    lam.remove_permission(FunctionName=name, StatementId="sns-invoke")
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]] == [
        "other"
    ]
    lam.remove_permission(FunctionName=name, StatementId="other")
    with pytest.raises(ClientError) as excinfo:
        lam.get_policy(FunctionName=name)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_permission_errors(lam: BaseClient) -> None:
    name = python_function(lam, SOURCE, {})
    lam.add_permission(FunctionName=name, StatementId="s1", Action="lambda:InvokeFunction", Principal="*")
    with pytest.raises(ClientError) as excinfo:
        lam.add_permission(FunctionName=name, StatementId="s1", Action="lambda:InvokeFunction", Principal="*")
    assert error_of(excinfo)[:2] == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as excinfo:
        lam.remove_permission(FunctionName=name, StatementId="nope")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        "Statement nope is not found in resource policy.",
    )
    with pytest.raises(ClientError) as excinfo:
        lam.add_permission(
            FunctionName=name, StatementId="bad id!", Action="lambda:InvokeFunction", Principal="*"
        )
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        lam.add_permission(
            FunctionName=name + "-gone", StatementId="s", Action="lambda:InvokeFunction", Principal="*"
        )
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)


def test_policies_are_per_qualifier(lam: BaseClient) -> None:
    name = python_function(lam, SOURCE, {})
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    added = lam.add_permission(
        FunctionName=name, Qualifier="live", StatementId="s", Action="lambda:InvokeFunction", Principal="*"
    )
    assert json.loads(added["Statement"])["Resource"].endswith(f":{name}:live")
    assert lam.get_policy(FunctionName=f"{name}:live")["Policy"]
    with pytest.raises(ClientError):
        lam.get_policy(FunctionName=name)  # $LATEST has none
