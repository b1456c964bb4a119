"""GetCallerIdentity and AssumeRole validation, as applications and test suites call them (boto3 speaks the
query protocol to STS)."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from conformance.clients import NO_RETRIES, legacy_client
from conformance.conftest import Endpoint, error_of


@pytest.fixture(params=["boto3", "query"])
def sts(request: pytest.FixtureRequest, endpoint: Endpoint) -> BaseClient:
    """Current boto3, and botocore with 1.31's STS model (both speak the query protocol to STS)."""
    config = NO_RETRIES.merge(BotoConfig(parameter_validation=False))
    kwargs = {"endpoint_url": endpoint.url, "region_name": endpoint.region, "config": config}
    if request.param == "query":
        return legacy_client("sts", **kwargs, **endpoint.credentials)
    return boto3.session.Session().client("sts", **kwargs, **endpoint.credentials)


def test_caller_identity(sts: BaseClient) -> None:
    """GetCallerIdentity names a 12-digit account and an ARN in it"""
    identity = sts.get_caller_identity()
    assert re.fullmatch(r"\d{12}", identity["Account"])
    assert re.fullmatch(rf"arn:aws:(iam|sts)::{identity['Account']}:\S+", identity["Arn"])
    assert identity["UserId"]


def test_assume_role_duration_bounds(sts: BaseClient) -> None:
    """AssumeRole refuses a DurationSeconds under 900 with ValidationError"""
    account = sts.get_caller_identity()["Account"]
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/conformance", RoleSessionName="check", DurationSeconds=60
        )
    assert error_of(excinfo) == ("ValidationError", 400)
