"""The suite's fixtures: the endpoint under test, its SDK clients, unique names and cleanup, time.

Nothing here assumes Posthouse. Checks marked `needs_clock` move time with Posthouse's `/admin/clock`
(start it with `--controllable-clock`), checks marked `needs_admin` read its admin API; both are skipped
against endpoints that have none, such as AWS.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from conformance.clients import sqs_client
from conformance.report import Collector

CLIENTS = ("json", "query")
"""SDK clients every SQS check runs with: boto3 (AWS JSON 1.0) and botocore with the query-protocol model.
The AWS CLI and the JavaScript SDK have checks of their own."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption("--endpoint", required=True, help="base URL of the endpoint under test")
    group.addoption("--region", default="us-east-1")
    group.addoption("--access-key", default="test")
    group.addoption("--secret-key", default="test")
    group.addoption("--report", default=None, help="write the report to FILE.md and FILE.json")
    group.addoption(
        "--all-clients",
        action="store_true",
        help="fail, instead of skipping, the checks of a client whose program (aws, node) is missing",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_clock: moves time with /admin/clock (skipped without it)")
    config.addinivalue_line("markers", "needs_admin: reads Posthouse's admin API (skipped without it)")
    config.addinivalue_line("markers", "client(name): the client a check drives, when not the sqs fixture's")
    config.addinivalue_line("markers", "needs_programs(*names): programs the check runs (skipped without)")
    config.addinivalue_line(
        "markers", "behaviour(text): the report's name for a check, instead of its docstring"
    )
    config.pluginmanager.register(Collector(config), "conformance-report")


def pytest_report_header(config: pytest.Config) -> str | None:
    if Endpoint(config).controllable_clock:
        return (
            "this endpoint's clock is controllable: the clock checks move it forward (about 92 s per client)"
        )
    return None


class Endpoint:
    """The endpoint under test, and what it offers beyond AWS's APIs."""

    def __init__(self, config: pytest.Config) -> None:
        self.url: str = str(config.getoption("--endpoint")).rstrip("/")
        self.region: str = config.getoption("--region")
        self.credentials = {
            "aws_access_key_id": config.getoption("--access-key"),
            "aws_secret_access_key": config.getoption("--secret-key"),
        }
        self.controllable_clock = self._post("/admin/clock", {"advance_seconds": 0}) is not None
        self.admin_api = self.admin("/admin/sqs/queues") is not None

    def admin(self, path: str) -> dict[str, Any] | None:
        """GET a Posthouse admin route; None when the endpoint has no such route."""
        return self._call(urllib.request.Request(self.url + path))

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        headers = {"Content-Type": "application/json"}
        return self._call(urllib.request.Request(self.url + path, json.dumps(body).encode(), headers))

    def _call(self, request: urllib.request.Request) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                reply: dict[str, Any] = json.loads(response.read())
                return reply
        except (OSError, ValueError):  # URLError, refused, reset, TimeoutError: no such route here
            return None

    def wait_until_parked(self, queue_url: str, timeout: float = 10) -> None:
        """Until a long poll waits on the queue: asked of Posthouse's admin API; elsewhere, a second's grace."""
        if not self.admin_api:
            time.sleep(1)
            return
        account, name = queue_url.rstrip("/").rsplit("/", 2)[-2:]
        deadline = time.monotonic() + timeout
        while (queue := self.admin(f"/admin/sqs/queues/{account}/{self.region}/{name}")) is None or queue[
            "receives_waiting"
        ] < 1:
            assert time.monotonic() < deadline, f"no long poll parked on {queue_url}"
            time.sleep(0.02)

    def advance(self, seconds: float) -> None:
        assert self._post("/admin/clock", {"advance_seconds": seconds}) is not None, "the clock did not move"

    def client(self, protocol: str) -> BaseClient:
        return sqs_client(self.url, protocol, self.region, **self.credentials)


@pytest.fixture(scope="session")
def endpoint(pytestconfig: pytest.Config) -> Endpoint:
    return Endpoint(pytestconfig)


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("needs_programs")
    missing = [name for name in (marker.args if marker else ()) if shutil.which(name) is None]
    if missing and item.config.getoption("--all-clients"):
        pytest.fail(f"--all-clients, but {', '.join(missing)} not found on PATH", pytrace=False)
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")


@pytest.fixture(autouse=True)
def _posthouse_markers(request: pytest.FixtureRequest, endpoint: Endpoint) -> None:
    if request.node.get_closest_marker("needs_clock") and not endpoint.controllable_clock:
        pytest.skip("needs a controllable clock (/admin/clock)")
    if request.node.get_closest_marker("needs_admin") and not endpoint.admin_api:
        pytest.skip("needs Posthouse's admin API (/admin/sqs)")


@pytest.fixture
def clock(endpoint: Endpoint) -> Callable[[float], None]:
    """Move the endpoint's time forward (checks using it are marked `needs_clock`)."""
    return endpoint.advance


@pytest.fixture(params=CLIENTS)
def sqs(request: pytest.FixtureRequest, endpoint: Endpoint) -> BaseClient:
    return endpoint.client(str(request.param))


@pytest.fixture
def names() -> Callable[[str], str]:
    """Unique queue names, safe on a shared endpoint."""
    run = uuid.uuid4().hex[:10]
    return lambda label: f"conf-{run}-{label}"


@pytest.fixture
def make_queue(sqs: BaseClient, names: Callable[[str], str]) -> Iterator[Callable[..., str]]:
    """Create queues (`.fifo` labels make FIFO queues) and delete them all afterwards."""
    created: list[str] = []

    def make(label: str = "q", **attributes: str) -> str:
        if label.endswith(".fifo"):
            attributes = {"FifoQueue": "true", **attributes}
        url: str = sqs.create_queue(QueueName=names(label), Attributes=attributes)["QueueUrl"]
        created.append(url)
        return url

    yield make
    for url in created:
        with contextlib.suppress(sqs.exceptions.QueueDoesNotExist):
            sqs.delete_queue(QueueUrl=url)


def error_of(excinfo: pytest.ExceptionInfo[Exception]) -> tuple[str, int]:
    """(error code as the SDK reports it, HTTP status)."""
    response: dict[str, Any] = excinfo.value.response  # type: ignore[attr-defined]
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]
