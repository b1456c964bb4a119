"""The AWS CLI (`aws sqs …` with --endpoint-url), as shell scripts and CI jobs use it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator

import pytest

from conformance.aws_cli import Cli
from conformance.conftest import Endpoint

pytestmark = [
    pytest.mark.client("aws-cli"),
    pytest.mark.needs_programs("aws"),
]


@pytest.fixture
def aws(endpoint: Endpoint) -> Cli:
    return Cli(endpoint, "sqs")


@pytest.fixture
def cli_queue(aws: Cli, names: Callable[[str], str]) -> Iterator[str]:
    url: str = aws("create-queue", "--queue-name", names("cli"))["QueueUrl"]
    yield url
    aws("delete-queue", "--queue-url", url)


def test_round_trip_with_attributes(aws: Cli, cli_queue: str) -> None:
    """send-message with attributes, receive-message, delete-message"""
    attributes = {"kind": {"DataType": "String", "StringValue": "cli"}}
    sent = aws(
        "send-message",
        "--queue-url",
        cli_queue,
        "--message-body",
        "from the cli",
        "--message-attributes",
        json.dumps(attributes),
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from the cli").hexdigest()
    received = aws("receive-message", "--queue-url", cli_queue, "--message-attribute-names", "All")
    (message,) = received["Messages"]
    assert (message["Body"], message["MessageAttributes"]) == ("from the cli", attributes)
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    aws("delete-message", "--queue-url", cli_queue, "--receipt-handle", message["ReceiptHandle"])


def test_batch(aws: Cli, cli_queue: str) -> None:
    """send-message-batch reports each entry"""
    entries = [{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}]
    result = aws("send-message-batch", "--queue-url", cli_queue, "--entries", json.dumps(entries))
    assert sorted(e["Id"] for e in result["Successful"]) == ["a", "b"]


def test_error_exit(aws: Cli, names: Callable[[str], str]) -> None:
    """An AWS error makes the CLI exit non-zero and name the error code"""
    done = aws.run("get-queue-url", "--queue-name", names("missing"))
    assert done.returncode != 0
    assert "NonExistentQueue" in done.stderr
