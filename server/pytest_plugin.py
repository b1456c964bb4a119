"""The pytest plugin shipped with Posthouse (entry point `pytest11`): a real Posthouse for a test session, on a
free port, started exactly as the `posthouse` command starts (in memory, with a controllable clock), or an
already running one (`--posthouse-url`, or POSTHOUSE_URL). Each test that asks for `posthouse` starts from an
empty server; boto3 clients come ready (`sqs`, `sns`, `lambda_`, `sts`, `iam`, `logs`), and the clock moves
when a test says so: `posthouse.advance(seconds=31)`.

    def test_a_message_comes_back_after_its_visibility_timeout(posthouse, sqs):
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="hi")
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)
        posthouse.advance(seconds=31)
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hi"
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

START_TIMEOUT_S = 30.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("posthouse")
    group.addoption(
        "--posthouse-url",
        default=os.environ.get("POSTHOUSE_URL"),
        help="use this running Posthouse (started with --controllable-clock for `advance`) instead of starting one",
    )


class Posthouse:
    """A running Posthouse: its URL, clients for it, and its admin routes."""

    def __init__(self, url: str, region: str = "us-east-1") -> None:
        self.url = url.rstrip("/")
        self.region = region

    def client(self, service: str, **settings: Any) -> Any:
        """A boto3 client for `service` (sqs, sns, lambda, sts, iam, logs, …) pointed at this server."""
        import boto3

        options = {
            "endpoint_url": self.url,
            "region_name": self.region,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }
        return boto3.session.Session().client(service, **(options | settings))

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())

    def reset(self) -> None:
        """Forget every queue, message, topic, subscription, function and mapping."""
        self._post("/admin/reset")

    def advance(self, seconds: float) -> int:
        """Move the server's clock forward (visibility timeouts, delays, retention, long polls); the new time in
        milliseconds."""
        now_ms: int = self._post("/admin/clock", {"advance_seconds": seconds})["now_ms"]
        return now_ms

    def peek(self, queue_url: str) -> list[dict[str, Any]]:
        """The queue's messages as they are, without receiving them (no receive counted)."""
        account, name = queue_url.rstrip("/").split("/")[-2:]
        path = f"/admin/sqs/queues/{account}/{self.region}/{name}/messages"
        with urllib.request.urlopen(self.url + path, timeout=30) as reply:
            messages: list[dict[str, Any]] = json.loads(reply.read())["messages"]
        return messages


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _started(port: int, log: Any) -> subprocess.Popen[bytes]:
    """`python -m server` as a user starts it; returned once it has said `Ready.` (its output goes to `log`)."""
    command = [
        sys.executable,
        "-m",
        "server",
        "--port",
        str(port),
        "--in-memory",
        "--controllable-clock",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        log.seek(0)
        if b"Ready." in log.read().split(b"\n"):
            return process
        time.sleep(0.02)
    process.kill()
    process.wait()
    log.seek(0)
    raise RuntimeError("Posthouse did not start:\n" + log.read().decode(errors="replace"))


@pytest.fixture(scope="session")
def posthouse_server(request: pytest.FixtureRequest) -> Iterator[Posthouse]:
    """One Posthouse for the session: the one --posthouse-url names, or one started on a free port."""
    url = request.config.getoption("--posthouse-url")
    if url:
        yield Posthouse(url)
        return
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        process = _started(port, log)
        try:
            yield Posthouse(f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def posthouse(posthouse_server: Posthouse) -> Posthouse:
    """The session's Posthouse, emptied for this test."""
    posthouse_server.reset()
    return posthouse_server


def _client_fixture(service: str, name: str) -> Any:
    def client(posthouse: Posthouse) -> Any:
        return posthouse.client(service)

    client.__doc__ = f"A boto3 {service} client for the test's (emptied) Posthouse."
    return pytest.fixture(name=name)(client)


sqs = _client_fixture("sqs", "sqs")
sns = _client_fixture("sns", "sns")
lambda_ = _client_fixture("lambda", "lambda_")
sts = _client_fixture("sts", "sts")
iam = _client_fixture("iam", "iam")
logs = _client_fixture("logs", "logs")
