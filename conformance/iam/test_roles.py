"""IAM as test fixtures and deploy tools call it before they create a function (boto3, query protocol): a
role with a trust policy and AWS-managed policies attached, an inline policy, a customer-managed policy with a
second version, and AWS's errors. Everything it creates it deletes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from conformance.clients import NO_RETRIES
from conformance.conftest import Endpoint, error_of
from conformance.iam.documents import BASIC, DOCUMENT, SQS_EXECUTION, TRUST

pytestmark = pytest.mark.client("boto3")


@pytest.fixture
def iam(endpoint: Endpoint) -> BaseClient:
    return boto3.session.Session().client(
        "iam", endpoint_url=endpoint.url, region_name="us-east-1", config=NO_RETRIES, **endpoint.credentials
    )


@pytest.fixture
def role(iam: BaseClient) -> Iterator[dict[str, Any]]:
    """A role for Lambda, removed afterwards with whatever is attached to it."""
    name = f"conf-{uuid.uuid4().hex[:10]}"
    created: dict[str, Any] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))[
        "Role"
    ]
    yield created
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for inline in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=inline)
    iam.delete_role(RoleName=name)


def test_a_role_keeps_its_trust_policy(iam: BaseClient, role: dict[str, Any]) -> None:
    """CreateRole answers the role's ARN and id; GetRole gives the trust policy back as JSON"""
    assert role["Arn"].endswith(f":role/{role['RoleName']}") and role["RoleId"].startswith("AROA")
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"] == TRUST


def test_aws_managed_policies_attach_and_detach(iam: BaseClient, role: dict[str, Any]) -> None:
    """AWS-managed Lambda policies attach to a role and are listed on it"""
    for arn in (BASIC, SQS_EXECUTION):
        iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == {BASIC, SQS_EXECUTION}
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["PolicyName"] == "AWSLambdaBasicExecutionRole"


def test_a_role_with_policies_cannot_be_deleted(iam: BaseClient, role: dict[str, Any]) -> None:
    """DeleteRole while a policy is attached is DeleteConflict (409)"""
    iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=BASIC)
    with pytest.raises(iam.exceptions.DeleteConflictException) as refused:
        iam.delete_role(RoleName=role["RoleName"])
    assert error_of(refused) == ("DeleteConflict", 409)


def test_inline_role_policies(iam: BaseClient, role: dict[str, Any]) -> None:
    """An inline policy is listed on its role and read back as JSON"""
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="send", PolicyDocument=json.dumps(DOCUMENT))
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == ["send"]
    assert iam.get_role_policy(RoleName=role["RoleName"], PolicyName="send")["PolicyDocument"] == DOCUMENT


def test_customer_managed_policy_versions(iam: BaseClient) -> None:
    """A customer-managed policy gets a second, default version and is deleted with its versions"""
    policy = iam.create_policy(
        PolicyName=f"conf-{uuid.uuid4().hex[:10]}", PolicyDocument=json.dumps(DOCUMENT)
    )
    arn = policy["Policy"]["Arn"]
    try:
        newer = dict(DOCUMENT, Statement=[{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}])
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(newer), SetAsDefault=True)
        assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
        assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == newer
        iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    finally:
        iam.delete_policy(PolicyArn=arn)


def test_unknown_roles_are_no_such_entity(iam: BaseClient) -> None:
    """GetRole of a role that is not there is NoSuchEntity (404)"""
    with pytest.raises(iam.exceptions.NoSuchEntityException) as missing:
        iam.get_role(RoleName=f"conf-missing-{uuid.uuid4().hex[:10]}")
    assert error_of(missing) == ("NoSuchEntity", 404)


def test_a_malformed_trust_policy_is_refused(iam: BaseClient) -> None:
    """CreateRole with a trust policy that is not JSON is MalformedPolicyDocument (400)"""
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as refused:
        iam.create_role(RoleName=f"conf-{uuid.uuid4().hex[:10]}", AssumeRolePolicyDocument="{not json")
    assert error_of(refused) == ("MalformedPolicyDocument", 400)
