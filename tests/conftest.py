"""Fixtures: one live server for the session, and every SQS test run over both SQS protocols."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.client import BaseClient

from conformance.clients import lambda_client, sns_client, sqs_client
from tests.harness import ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(
        tmp_path_factory.mktemp("server") / "data", "--controllable-clock", "--queue-deleted-recently"
    ).start()
    yield process
    process.stop()


@pytest.fixture(params=["json", "query"])
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sqs(server: ServerProcess, protocol: str) -> BaseClient:
    return sqs_client(server.url, protocol)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    def name(prefix: str = "q") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return name


@pytest.fixture
def queue_url(sqs: BaseClient, unique_name: Callable[[str], str]) -> str:
    url: str = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    return url


@pytest.fixture
def make_queue(sqs: BaseClient, unique_name: Callable[[str], str]) -> Callable[..., str]:
    def make(**attributes: str) -> str:
        url: str = sqs.create_queue(QueueName=unique_name("q"), Attributes=attributes)["QueueUrl"]
        return url

    return make


def error_of(excinfo: pytest.ExceptionInfo[Exception]) -> dict[str, object]:
    error: dict[str, object] = excinfo.value.response["Error"]  # type: ignore[attr-defined]
    error["Status"] = excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]  # type: ignore[attr-defined]
    return error


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def sns(server: ServerProcess) -> BaseClient:
    """An SNS client of the session's server (boto3, query protocol, no client-side validation)."""

    return sns_client(server.url)


@pytest.fixture
def queues(server: ServerProcess) -> BaseClient:
    """An SQS client (JSON protocol) for tests whose subject is another service."""
    return sqs_client(server.url, "json")


@pytest.fixture
def lam(server: ServerProcess) -> BaseClient:
    """A Lambda client of the session's server (boto3, REST-JSON, no client-side validation)."""
    return lambda_client(server.url)
