"""IAM as fixtures and deploy tools call it (boto3, query protocol): a role with its trust policy, an
AWS-managed and a customer-managed policy attached, inline policies, policy versions, users and access keys;
AWS's ids, errors and texts; everything kept across a restart; a function created with the role."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import CREDENTIALS, NO_RETRIES
from conformance.iam.documents import BASIC, DOCUMENT, SQS_EXECUTION, TRUST
from tests.harness import ServerProcess
from tests.test_lambda_functions import zipped


def iam_client(url: str, **credentials: str) -> BaseClient:
    return boto3.session.Session().client(
        "iam", endpoint_url=url, region_name="us-east-1", config=NO_RETRIES, **(credentials or CREDENTIALS)
    )


@pytest.fixture
def iam(server: ServerProcess) -> BaseClient:
    return iam_client(server.url)


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _code(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    error = raised.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def test_a_role_with_its_trust_policy_and_aws_managed_policies(iam: BaseClient, lam: BaseClient) -> None:
    name = _name("fixture-role")
    role = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), Description="for tests"
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::000000000000:role/{name}"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["AssumeRolePolicyDocument"] == TRUST  # sent URL-encoded, decoded by the SDK
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "for tests"
    for arn in (BASIC, SQS_EXECUTION):
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert {p["PolicyName"] for p in attached} == {
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
    }
    policy = iam.get_policy(PolicyArn=BASIC)["Policy"]
    version = iam.get_policy_version(PolicyArn=BASIC, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert "logs:PutLogEvents" in version["Document"]["Statement"][0]["Action"]
    function = lam.create_function(
        FunctionName=_name("with-role"),
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": zipped("def handler(event, context):\n    return 1\n")},
    )
    assert function["Role"] == role["Arn"]
    with pytest.raises(ClientError) as raised:
        iam.delete_role(RoleName=name)
    assert _code(raised) == ("DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
    for arn in (BASIC, SQS_EXECUTION):
        iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    iam.delete_role(RoleName=name)
    with pytest.raises(ClientError) as raised:
        iam.get_role(RoleName=name)
    assert _code(raised) == ("NoSuchEntity", 404, f"The role with name {name} cannot be found.")


def test_customer_managed_policies_and_their_versions(iam: BaseClient) -> None:
    name = _name("policy")
    policy = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOCUMENT))["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::000000000000:policy/{name}" and policy["PolicyId"].startswith("ANPA")
    with pytest.raises(ClientError) as raised:
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOCUMENT))
    assert _code(raised)[:2] == ("EntityAlreadyExists", 409)
    newer = dict(DOCUMENT, Statement=[{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}])
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(newer), SetAsDefault=True)
    assert created["PolicyVersion"]["VersionId"] == "v2"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == newer
    local = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert name in local
    aws = [p["Arn"] for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]]
    assert BASIC in aws and arn not in aws
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOCUMENT))
    with pytest.raises(ClientError) as raised:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOCUMENT))
    assert _code(raised)[:2] == ("LimitExceeded", 409)
    with pytest.raises(ClientError) as raised:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert _code(raised) == ("DeleteConflict", 409, "Cannot delete the default version of a policy.")
    role = _name("user-of-policy")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as raised:
        iam.delete_policy(PolicyArn=arn)
    assert _code(raised)[:2] == ("DeleteConflict", 409)
    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


def test_inline_policies_tags_and_paging(iam: BaseClient) -> None:
    name = _name("inline")
    iam.create_role(
        RoleName=name,
        Path="/service/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=[{"Key": "team", "Value": "a"}],
    )
    iam.put_role_policy(RoleName=name, PolicyName="queues", PolicyDocument=json.dumps(DOCUMENT))
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["queues"]
    assert iam.get_role_policy(RoleName=name, PolicyName="queues")["PolicyDocument"] == DOCUMENT
    with pytest.raises(ClientError) as raised:
        iam.delete_role(RoleName=name)
    assert _code(raised) == ("DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
    iam.tag_role(RoleName=name, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "b"}])
    iam.untag_role(RoleName=name, TagKeys=["env"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "team", "Value": "b"}]
    assert name in [r["RoleName"] for r in iam.list_roles(PathPrefix="/service/")["Roles"]]
    first = iam.list_roles(MaxItems=1)
    assert first["IsTruncated"] and len(first["Roles"]) == 1
    assert (
        iam.list_roles(Marker=first["Marker"], MaxItems=1000)["Roles"][0]["RoleName"]
        > first["Roles"][0]["RoleName"]
    )
    iam.delete_role_policy(RoleName=name, PolicyName="queues")
    iam.delete_role(RoleName=name)


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        ({"RoleName": "has space", "AssumeRolePolicyDocument": json.dumps(TRUST)}, "ValidationError"),
        ({"RoleName": "x" * 65, "AssumeRolePolicyDocument": json.dumps(TRUST)}, "ValidationError"),
        ({"RoleName": "ok-name", "AssumeRolePolicyDocument": "{not json"}, "MalformedPolicyDocument"),
        (
            {"RoleName": "ok-name", "AssumeRolePolicyDocument": json.dumps(TRUST), "Path": "no-slashes"},
            "ValidationError",
        ),
    ],
)
def test_roles_aws_refuses_are_refused(iam: BaseClient, request_: dict[str, Any], code: str) -> None:
    with pytest.raises(ClientError) as raised:
        iam.create_role(**request_)
    assert _code(raised)[:2] == (code, 400)


def test_users_and_access_keys_act_as_their_account(server: ServerProcess) -> None:
    admin = iam_client(server.url, aws_access_key_id="111122223333", aws_secret_access_key="x")
    name = _name("ci-user")
    user = admin.create_user(UserName=name)["User"]
    assert user["Arn"] == f"arn:aws:iam::111122223333:user/{name}" and user["UserId"].startswith("AIDA")
    key = admin.create_access_key(UserName=name)["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40
    as_user = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    sts = boto3.session.Session().client("sts", endpoint_url=server.url, region_name="us-east-1", **as_user)
    assert sts.get_caller_identity()["Account"] == "111122223333"
    assert iam_client(server.url, **as_user).get_user()["User"]["UserName"] == name
    assert [k["AccessKeyId"] for k in admin.list_access_keys(UserName=name)["AccessKeyMetadata"]] == [
        key["AccessKeyId"]
    ]
    with pytest.raises(ClientError) as raised:
        admin.delete_user(UserName=name)
    assert _code(raised)[:2] == ("DeleteConflict", 409)
    admin.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    admin.delete_user(UserName=name)


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"


def test_iam_survives_a_restart(restartable: Path) -> None:
    with ServerProcess(restartable).start() as first:
        iam = iam_client(first.url)
        iam.create_role(RoleName="kept", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.attach_role_policy(RoleName="kept", PolicyArn=BASIC)
        iam.create_policy(PolicyName="kept-policy", PolicyDocument=json.dumps(DOCUMENT))
    with ServerProcess(restartable).start() as second:
        iam = iam_client(second.url)
        assert iam.get_role(RoleName="kept")["Role"]["AssumeRolePolicyDocument"] == TRUST
        assert [
            p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="kept")["AttachedPolicies"]
        ] == [BASIC]
        assert iam.get_policy(PolicyArn="arn:aws:iam::000000000000:policy/kept-policy")["Policy"][
            "PolicyName"
        ]
