"""The AWS CLI (`aws sns …` with --endpoint-url), as shell scripts and CI jobs use it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from conformance.aws_cli import Cli
from conformance.conftest import Endpoint

pytestmark = [
    pytest.mark.client("aws-cli"),
    pytest.mark.needs_programs("aws"),
]


@pytest.fixture
def aws(endpoint: Endpoint) -> Cli:
    return Cli(endpoint, "sns")


@pytest.fixture
def cli_topic(aws: Cli) -> Iterator[str]:
    arn: str = aws("create-topic", "--name", f"conf-cli-{uuid.uuid4().hex[:10]}")["TopicArn"]
    yield arn
    aws("delete-topic", "--topic-arn", arn)


def test_publish_with_attributes(aws: Cli, cli_topic: str) -> None:
    """publish with --message-attributes answers a MessageId"""
    attributes = {"kind": {"DataType": "String", "StringValue": "cli"}}
    published = aws(
        "publish",
        "--topic-arn",
        cli_topic,
        "--message",
        "from the cli",
        "--message-attributes",
        json.dumps(attributes),
    )
    assert len(published["MessageId"]) == 36


def test_list_topics_query(aws: Cli, cli_topic: str) -> None:
    """list-topics lists the topic (the CLI follows NextToken pages)"""
    listed = aws("list-topics")["Topics"]
    assert cli_topic in [topic["TopicArn"] for topic in listed]


def test_missing_topic_exit_code(aws: Cli, cli_topic: str) -> None:
    """get-topic-attributes of a missing topic exits non-zero naming NotFound"""
    done = aws.run("get-topic-attributes", "--topic-arn", cli_topic + "-missing")
    assert done.returncode != 0
    assert "NotFound" in done.stderr
