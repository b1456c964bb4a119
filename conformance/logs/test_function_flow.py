"""What real test suites do around Lambda, end to end (boto3): create a role and attach AWS's SQS execution
policy, create a function with it, map a queue to it, send messages, and read what the function printed back
from CloudWatch Logs, polling FilterLogEvents as `aws logs tail --follow` does. Everything is deleted after.
Against AWS, IAM takes a few seconds to let Lambda use a new role: CreateFunction is retried meanwhile."""

from __future__ import annotations

import contextlib
import json
import time
import uuid

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import NO_RETRIES
from conformance.conftest import Endpoint
from conformance.iam.documents import SQS_EXECUTION, TRUST
from conformance.lambda_.conftest import wait_active, zipped
from conformance.logs.flow import PRINTER

pytestmark = pytest.mark.client("boto3")


def _client(endpoint: Endpoint, service: str) -> BaseClient:
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint.url,
        region_name=endpoint.region,
        config=NO_RETRIES,
        **endpoint.credentials,
    )


def _create_function(lam: BaseClient, name: str, role_arn: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role_arn,
                Handler="handler.handler",
                Code={"ZipFile": zipped({"handler.py": PRINTER})},
                Timeout=10,
            )
            return
        except ClientError as error:  # AWS: the new role is not assumable yet
            if "role" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(3)


def test_role_function_mapping_and_its_output_in_logs(endpoint: Endpoint) -> None:
    """A role with AWS's SQS execution policy, a function mapped to a queue, its output read back from Logs"""
    iam, lam, sqs, logs = (_client(endpoint, s) for s in ("iam", "lambda", "sqs", "logs"))
    name = f"conf-flow-{uuid.uuid4().hex[:10]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    iam.attach_role_policy(RoleName=name, PolicyArn=SQS_EXECUTION)
    queue = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    mapping = None
    try:
        _create_function(lam, name, role["Arn"])
        wait_active(lam, name)
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)["UUID"]
        start = int(time.time() * 1000) - 60_000
        bodies = {f"message-{n}-{uuid.uuid4().hex[:6]}" for n in range(3)}
        for body in bodies:
            sqs.send_message(QueueUrl=queue, MessageBody=body)
        seen: set[str] = set()
        deadline = time.monotonic() + 180
        while not bodies <= seen:
            assert time.monotonic() < deadline, f"{len(seen)} of {len(bodies)} bodies in the log"
            time.sleep(2)
            with contextlib.suppress(
                logs.exceptions.ResourceNotFoundException
            ):  # created by the first output
                events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", startTime=start)["events"]
                seen = {e["message"].strip().removeprefix("got ") for e in events}
    finally:
        if mapping is not None:
            lam.delete_event_source_mapping(UUID=mapping)
        with contextlib.suppress(ClientError):
            lam.delete_function(FunctionName=name)
        sqs.delete_queue(QueueUrl=queue)
        iam.detach_role_policy(RoleName=name, PolicyArn=SQS_EXECUTION)
        iam.delete_role(RoleName=name)
        with contextlib.suppress(ClientError):
            logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")
