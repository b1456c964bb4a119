"""STS on the same port: who the caller is, and roles in other accounts whose credentials act as that account
in SQS too, and survive a restart."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from conformance.clients import CREDENTIALS, NO_RETRIES
from tests.harness import ServerProcess, env_without_proxies

ROLE = "arn:aws:iam::111122223333:role/ops/deployer"


def client(server: ServerProcess, name: str, **credentials: str) -> BaseClient:
    config = NO_RETRIES.merge(BotoConfig(parameter_validation=False))  # so bad input reaches the server
    return boto3.session.Session().client(
        name, endpoint_url=server.url, region_name="us-east-1", config=config, **(credentials or CREDENTIALS)
    )


def as_keys(credentials: dict[str, Any]) -> dict[str, str]:
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def error_of(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return error.value.response["Error"]["Code"], error.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_caller_identity_is_the_account_of_the_key(server: ServerProcess) -> None:
    default = client(server, "sts").get_caller_identity()
    assert (default["Account"], default["Arn"], default["UserId"]) == (
        "000000000000",
        "arn:aws:iam::000000000000:root",
        "000000000000",
    )
    numbered = client(server, "sts", aws_access_key_id="444455556666", aws_secret_access_key="x")
    assert numbered.get_caller_identity()["Account"] == "444455556666"


def test_an_assumed_role_acts_as_its_account_in_sqs_too(server: ServerProcess) -> None:
    assumed = client(server, "sts").assume_role(RoleArn=ROLE, RoleSessionName="ci-run", DurationSeconds=900)
    keys = as_keys(assumed["Credentials"])
    assert keys["aws_access_key_id"].startswith("ASIA") and len(keys["aws_access_key_id"]) == 20
    assert assumed["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/ci-run"
    identity = client(server, "sts", **keys).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == ("111122223333", assumed["AssumedRoleUser"]["Arn"])
    assert identity["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]
    assert identity["UserId"].startswith("AROA") and identity["UserId"].endswith(":ci-run")
    url = client(server, "sqs", **keys).create_queue(QueueName="assumed-role-queue")["QueueUrl"]
    assert url.endswith("/111122223333/assumed-role-queue")
    listed = client(server, "sqs").list_queues(QueueNamePrefix="assumed-role").get("QueueUrls", [])
    assert listed == []  # the default account has no such queue


def test_issued_credentials_survive_a_restart(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data").start() as server:
        keys = as_keys(client(server, "sts").assume_role(RoleArn=ROLE, RoleSessionName="s1")["Credentials"])
        server.kill()
        server.start()
        assert client(server, "sts", **keys).get_caller_identity()["Account"] == "111122223333"


def test_session_tokens_act_as_the_caller(server: ServerProcess) -> None:
    issued = client(
        server, "sts", aws_access_key_id="777788889999", aws_secret_access_key="x"
    ).get_session_token()
    keys = as_keys(issued["Credentials"])
    assert client(server, "sts", **keys).get_caller_identity()["Account"] == "777788889999"
    with pytest.raises(ClientError) as excinfo:
        client(server, "sts", **keys).get_session_token()
    assert error_of(excinfo) == ("AccessDenied", 403)


@pytest.mark.parametrize(
    "params",
    [
        {"RoleArn": ROLE, "RoleSessionName": "s", "DurationSeconds": 899},
        {"RoleArn": ROLE, "RoleSessionName": "s", "DurationSeconds": 43201},
        {"RoleArn": ROLE, "RoleSessionName": "x"},  # names are 2-64 characters
        {"RoleArn": ROLE, "RoleSessionName": "has space"},
        {"RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s1"},
        {"RoleArn": "arn:aws:s3:::bucket-name-is-long", "RoleSessionName": "s1"},
        {"RoleSessionName": "s1"},
    ],
)
def test_assume_role_validation(server: ServerProcess, params: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as excinfo:
        client(server, "sts").assume_role(**params)
    assert error_of(excinfo) == ("ValidationError", 400)


def test_the_aws_cli_asks_who_it_is(server: ServerProcess) -> None:
    env = {
        **env_without_proxies(),
        "AWS_ACCESS_KEY_ID": "123456789012",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
    }
    done = subprocess.run(
        ["aws", "--output", "json", "--endpoint-url", server.url, "sts", "get-caller-identity"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout)["Account"] == "123456789012"
