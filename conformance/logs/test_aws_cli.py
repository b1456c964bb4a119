"""`aws iam`, `aws lambda`, `aws sqs` and `aws logs` as a deploy script and its smoke test run them: a role
with AWS's SQS execution policy, a function with it mapped to a queue, a message sent, and the function's
output read back with `aws logs filter-log-events`. Everything is deleted after."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from conformance.aws_cli import Cli
from conformance.conftest import Endpoint
from conformance.iam.documents import SQS_EXECUTION, TRUST
from conformance.lambda_.conftest import zipped
from conformance.logs.flow import PRINTER

pytestmark = [pytest.mark.client("aws-cli"), pytest.mark.needs_programs("aws")]


def test_a_deploy_script_and_its_smoke_test(endpoint: Endpoint, tmp_path: Path) -> None:
    """create-role, attach-role-policy, create-function, create-event-source-mapping, send-message, filter-log-events"""
    iam, lam, sqs, logs = (Cli(endpoint, s) for s in ("iam", "lambda", "sqs", "logs"))
    name = f"conf-cli-{uuid.uuid4().hex[:10]}"
    package = tmp_path / "function.zip"
    package.write_bytes(zipped({"handler.py": PRINTER}))
    role = iam("create-role", "--role-name", name, "--assume-role-policy-document", json.dumps(TRUST))["Role"]
    iam("attach-role-policy", "--role-name", name, "--policy-arn", SQS_EXECUTION)
    queue = sqs("create-queue", "--queue-name", name)["QueueUrl"]
    mapping = None
    try:
        deadline = time.monotonic() + 60
        while (
            created := lam.run(
                "create-function",
                "--function-name",
                name,
                "--runtime",
                "python3.12",
                "--role",
                role["Arn"],
                "--handler",
                "handler.handler",
                "--zip-file",
                f"fileb://{package}",
                "--timeout",
                "10",
            )
        ).returncode != 0:  # AWS: the new role is not assumable for a few seconds
            assert "role" in created.stderr.lower() and time.monotonic() < deadline, created.stderr
            time.sleep(3)
        lam("wait", "function-active-v2", "--function-name", name)
        arn = sqs("get-queue-attributes", "--queue-url", queue, "--attribute-names", "QueueArn")[
            "Attributes"
        ]["QueueArn"]
        mapping = lam("create-event-source-mapping", "--event-source-arn", arn, "--function-name", name)[
            "UUID"
        ]
        start = str(int(time.time() * 1000) - 60_000)
        body = f"from-the-cli-{uuid.uuid4().hex[:6]}"
        sqs("send-message", "--queue-url", queue, "--message-body", body)
        deadline = time.monotonic() + 180
        while True:
            found = logs.run(
                "filter-log-events", "--log-group-name", f"/aws/lambda/{name}", "--start-time", start
            )
            if found.returncode == 0 and body in found.stdout:
                break
            assert time.monotonic() < deadline, found.stderr or found.stdout
            time.sleep(2)
    finally:
        if mapping is not None:
            lam.run("delete-event-source-mapping", "--uuid", mapping)
        lam.run("delete-function", "--function-name", name)
        sqs.run("delete-queue", "--queue-url", queue)
        iam.run("detach-role-policy", "--role-name", name, "--policy-arn", SQS_EXECUTION)
        iam.run("delete-role", "--role-name", name)
        logs.run("delete-log-group", "--log-group-name", f"/aws/lambda/{name}")
