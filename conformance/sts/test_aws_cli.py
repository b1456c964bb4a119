"""`aws sts get-caller-identity`, as shell scripts and CI jobs call it to learn the account."""

from __future__ import annotations

import re

import pytest

from conformance.aws_cli import Cli
from conformance.conftest import Endpoint

pytestmark = [
    pytest.mark.client("aws-cli"),
    pytest.mark.needs_programs("aws"),
]


def test_get_caller_identity(endpoint: Endpoint) -> None:
    """get-caller-identity prints the 12-digit account and an ARN in it"""
    identity = Cli(endpoint, "sts")("get-caller-identity")
    assert re.fullmatch(r"\d{12}", identity["Account"])
    assert f":{identity['Account']}:" in identity["Arn"]


def test_get_caller_identity_query(endpoint: Endpoint) -> None:
    """get-caller-identity --query Account prints only the account"""
    done = Cli(endpoint, "sts").run("get-caller-identity", "--query", "Account")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r'"\d{12}"', done.stdout.strip())
