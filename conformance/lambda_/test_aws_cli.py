"""The AWS CLI (`aws lambda …` with --endpoint-url), as deploy scripts and CI jobs use it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.client import BaseClient

from conformance.aws_cli import Cli
from conformance.conftest import Endpoint
from conformance.lambda_.conftest import ROLE, wait_active, zipped

pytestmark = [
    pytest.mark.client("aws-cli"),
    pytest.mark.needs_programs("aws"),
]

HANDLER = "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"


@pytest.fixture
def aws(endpoint: Endpoint) -> Cli:
    return Cli(endpoint, "lambda")


@pytest.fixture
def cli_function(aws: Cli, lam: BaseClient, tmp_path: Path) -> Iterator[str]:
    package = tmp_path / "function.zip"
    package.write_bytes(zipped({"handler.py": HANDLER}))
    name = f"conf-cli-{uuid.uuid4().hex[:10]}"
    aws(
        "create-function",
        "--function-name",
        name,
        "--runtime",
        "python3.12",
        "--handler",
        "handler.handler",
        "--role",
        ROLE,
        "--zip-file",
        f"fileb://{package}",
    )
    wait_active(lam, name)
    yield name
    aws("delete-function", "--function-name", name)


def test_invoke_to_a_file(aws: Cli, cli_function: str, tmp_path: Path) -> None:
    """invoke writes the handler's result to the outfile and prints StatusCode 200"""
    event, out = tmp_path / "event.json", tmp_path / "out.json"
    event.write_text(json.dumps({"n": 21}))  # fileb:// reads the same in CLI v1 and v2
    printed = aws("invoke", "--function-name", cli_function, "--payload", f"fileb://{event}", str(out))
    assert printed["StatusCode"] == 200 and printed["ExecutedVersion"] == "$LATEST"
    assert json.loads(out.read_text()) == {"doubled": 42}


def test_list_functions(aws: Cli, cli_function: str) -> None:
    """list-functions lists the function (the CLI follows Marker pages)"""
    listed = aws("list-functions")["Functions"]
    assert cli_function in [function["FunctionName"] for function in listed]


def test_publish_and_alias(aws: Cli, lam: BaseClient, cli_function: str, tmp_path: Path) -> None:
    """publish-version, create-alias and invoke --qualifier: the alias runs the version it names"""
    published = aws("publish-version", "--function-name", cli_function)
    assert published["Version"] == "1"
    wait_active(lam, f"{cli_function}:1")
    alias = aws("create-alias", "--function-name", cli_function, "--name", "live", "--function-version", "1")
    assert alias["AliasArn"].endswith(f":{cli_function}:live")
    event, out = tmp_path / "event.json", tmp_path / "out.json"
    event.write_text(json.dumps({"n": 2}))
    printed = aws(
        "invoke",
        "--function-name",
        cli_function,
        "--qualifier",
        "live",
        "--payload",
        f"fileb://{event}",
        str(out),
    )
    assert printed["ExecutedVersion"] == "1"
    assert json.loads(out.read_text()) == {"doubled": 4}
    aliases = aws("list-aliases", "--function-name", cli_function)["Aliases"]
    assert [a["Name"] for a in aliases] == ["live"]
