"""The AWS SDK for JavaScript v3, which checks body digests and sends requests to the QueueUrl's host.

Needs Node.js and npm; the SDK is installed from npm (versions pinned by conformance/js/package-lock.json)
on first use, into conformance/js/node_modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from conformance.conftest import Endpoint

JS = Path(__file__).resolve().parents[1] / "js"
CHECKS = {
    "send_receive_delete_with_attributes": "Send, receive and delete with String, Number and Binary attributes",
    "batch_send_receive_delete": "Batch send, receive and batch delete",
    "fifo_send_and_receive_in_order": "FIFO send with increasing SequenceNumbers, received in order",
    "error_maps_to_exception_class": "A missing queue raises the SDK's QueueDoesNotExist",
}

pytestmark = [
    pytest.mark.client("js-v3"),
    pytest.mark.needs_programs("node", "npm"),
]


@pytest.fixture(scope="module")
def results(endpoint: Endpoint) -> dict[str, Any]:
    install = ["npm", "ci", "--no-audit", "--no-fund", "--silent"]
    for attempt in (1, 2):  # one retry: a registry hiccup should not fail the suite
        if (JS / "node_modules" / "@aws-sdk" / "client-sqs").exists():
            break
        subprocess.run(install, cwd=JS, check=attempt == 2, timeout=300)
    env = {
        **os.environ,
        "ENDPOINT": endpoint.url,
        "REGION": endpoint.region,
        "AWS_ACCESS_KEY_ID": endpoint.credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": endpoint.credentials["aws_secret_access_key"],
        "PREFIX": f"conf-js-{uuid.uuid4().hex[:10]}",
        "NODE_NO_WARNINGS": "1",
    }
    done = subprocess.run(
        ["node", "sqs_checks.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    outcome: dict[str, Any] = json.loads(done.stdout)
    return outcome


@pytest.mark.parametrize(
    "check",
    [pytest.param(check, marks=pytest.mark.behaviour(text), id=check) for check, text in CHECKS.items()],
)
def test_js_sdk(results: dict[str, Any], check: str) -> None:
    """The JavaScript SDK v3 check of that name passes"""
    assert results[check]["ok"], results[check]["detail"]
