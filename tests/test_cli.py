"""SDKs find the server through AWS_ENDPOINT_URL, or a variable per service. (The AWS CLI is checked by the
conformance suite.)"""

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


def test_boto3_finds_each_service_through_its_own_variable(server: ServerProcess) -> None:
    """AWS_ENDPOINT_URL_<SERVICE> for each service Posthouse answers, with no AWS_ENDPOINT_URL at all."""
    script = "; ".join(
        [
            "import boto3",
            "boto3.client('sqs').list_queues()",
            "boto3.client('sns').list_topics()",
            "boto3.client('lambda').list_functions()",
            "boto3.client('sts').get_caller_identity()",
            "boto3.client('iam').list_roles()",
            "boto3.client('logs').describe_log_groups()",
            "print('all answered')",
        ]
    )
    names = ("SQS", "SNS", "LAMBDA", "STS", "IAM", "CLOUDWATCH_LOGS")
    variables = {f"AWS_ENDPOINT_URL_{name}": server.url for name in names}
    environment = {k: v for k, v in ENV.items() if k != "AWS_ENDPOINT_URL"} | variables
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "all answered"
