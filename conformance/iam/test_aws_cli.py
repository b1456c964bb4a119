"""`aws iam …` as deploy scripts run it before they create a function: a role, a managed policy attached."""

from __future__ import annotations

import json
import uuid

import pytest

from conformance.aws_cli import Cli
from conformance.conftest import Endpoint
from conformance.iam.documents import BASIC, TRUST

pytestmark = [pytest.mark.client("aws-cli"), pytest.mark.needs_programs("aws")]


def test_create_role_and_attach_a_managed_policy(endpoint: Endpoint) -> None:
    """create-role, attach-role-policy, list-attached-role-policies, detach and delete"""
    iam = Cli(endpoint, "iam")
    name = f"conf-{uuid.uuid4().hex[:10]}"
    role = iam("create-role", "--role-name", name, "--assume-role-policy-document", json.dumps(TRUST))["Role"]
    try:
        assert role["Arn"].endswith(f":role/{name}")
        iam("attach-role-policy", "--role-name", name, "--policy-arn", BASIC)
        attached = iam("list-attached-role-policies", "--role-name", name)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [BASIC]
        iam("detach-role-policy", "--role-name", name, "--policy-arn", BASIC)
    finally:
        iam.run("delete-role", "--role-name", name)
