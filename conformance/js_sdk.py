"""Runs a script of checks with the AWS SDK for JavaScript v3 against an endpoint.

Needs Node.js and npm; the SDK clients are installed from npm (versions pinned by conformance/js/package-lock.json)
on first use, into conformance/js/node_modules. A script prints one JSON object: {check: {ok, detail}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.conftest import Endpoint

JS = Path(__file__).resolve().parent / "js"
CLIENTS = ("client-lambda", "client-sns", "client-sqs", "client-sts", "client-iam", "client-cloudwatch-logs")


def _install() -> None:
    install = ["npm", "ci", "--no-audit", "--no-fund", "--silent"]
    for attempt in (1, 2):  # one retry: a registry hiccup should not fail the suite
        if all((JS / "node_modules" / "@aws-sdk" / client).exists() for client in CLIENTS):
            return
        subprocess.run(install, cwd=JS, check=attempt == 2, timeout=300)


def run_checks(script: str, endpoint: Endpoint, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    _install()
    env = {
        **os.environ,
        "ENDPOINT": endpoint.url,
        "REGION": endpoint.region,
        "AWS_ACCESS_KEY_ID": endpoint.credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": endpoint.credentials["aws_secret_access_key"],
        "PREFIX": f"conf-js-{uuid.uuid4().hex[:10]}",
        "NODE_NO_WARNINGS": "1",
        **(extra_env or {}),
    }
    done = subprocess.run(
        ["node", script], cwd=JS, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    outcome: dict[str, Any] = json.loads(done.stdout)
    return outcome


_RESULTS: dict[tuple[str, str], dict[str, Any]] = {}


def js_sdk_test(
    script: str, checks: dict[str, str], extra_env: dict[str, str] | None = None
) -> Callable[..., None]:
    """The test of a check script: one case per check, named by `checks` (check -> behaviour) in the report;
    the script runs once per endpoint, with `extra_env` besides the endpoint's settings."""

    @pytest.mark.client("js-v3")
    @pytest.mark.needs_programs("node", "npm")
    @pytest.mark.parametrize(
        "check",
        [pytest.param(check, marks=pytest.mark.behaviour(text), id=check) for check, text in checks.items()],
    )
    def test_js_sdk(endpoint: Endpoint, check: str) -> None:
        """The JavaScript SDK v3 check of that name passes"""
        key = (script, endpoint.url)
        if key not in _RESULTS:
            _RESULTS[key] = run_checks(script, endpoint, extra_env)
        assert _RESULTS[key][check]["ok"], _RESULTS[key][check]["detail"]

    return test_js_sdk
