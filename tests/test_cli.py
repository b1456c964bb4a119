"""SDKs find the server through AWS_ENDPOINT_URL. (The AWS CLI is checked by the conformance suite.)"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.harness import ServerProcess

ENV = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


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
