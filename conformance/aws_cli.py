"""The AWS CLI, as shell scripts and CI jobs run it: `aws <service> …` with --endpoint-url."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from conformance.conftest import Endpoint


class Cli:
    """`aws <service> …` against the endpoint, with its credentials and region."""

    def __init__(self, endpoint: Endpoint, service: str) -> None:
        self.endpoint = endpoint
        self.service = service
        self.env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": endpoint.credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": endpoint.credentials["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": endpoint.region,
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = ["aws", "--output", "json", "--endpoint-url", self.endpoint.url, self.service, *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60)

    def __call__(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None
