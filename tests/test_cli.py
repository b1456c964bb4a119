"""The AWS CLI against a live server, configured both ways users do it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from typing import Any

import pytest

from tests.harness import ServerProcess

ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def aws(server: ServerProcess, *args: str) -> Any:
    command = ["aws", "--output", "json", "--endpoint-url", server.url, *args]
    done = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_cli_round_trip(server: ServerProcess) -> None:
    name = "cli-" + uuid.uuid4().hex[:8]
    url = aws(server, "sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    assert url.endswith(f"/000000000000/{name}")
    sent = aws(server, "sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from the cli").hexdigest()
    received = aws(server, "sqs", "receive-message", "--queue-url", url, "--attribute-names", "All")
    (message,) = received["Messages"]
    assert message["Body"] == "from the cli"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    aws(server, "sqs", "delete-message", "--queue-url", url, "--receipt-handle", message["ReceiptHandle"])
    assert name in " ".join(aws(server, "sqs", "list-queues", "--queue-name-prefix", name)["QueueUrls"])


def test_boto3_finds_the_server_through_aws_endpoint_url(server: ServerProcess) -> None:
    script = "import boto3; print(boto3.client('sqs').create_queue(QueueName='from-env')['QueueUrl'])"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**ENV, "AWS_ENDPOINT_URL": server.url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{server.url}/000000000000/from-env"
