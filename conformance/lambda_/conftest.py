"""Lambda fixtures: a client, and Python functions shipped as zips by the checks and deleted after them.

Against AWS, set CONFORMANCE_LAMBDA_ROLE to a role Lambda may assume that allows the function to use SQS
(sqs:SendMessage, and the receive/delete/attributes calls an event-source mapping makes); Posthouse accepts
any well-formed role ARN."""

from __future__ import annotations

import contextlib
import io
import os
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator

import pytest
from botocore.client import BaseClient

from conformance.clients import lambda_client
from conformance.conftest import Endpoint

ROLE = os.environ.get("CONFORMANCE_LAMBDA_ROLE", "arn:aws:iam::000000000000:role/conformance-lambda")


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in files.items():
            archive.writestr(name, source)
    return buffer.getvalue()


@pytest.fixture
def sqs(endpoint: Endpoint) -> BaseClient:
    """The queues of Lambda's checks: one SQS protocol is enough here (SQS's own checks cover both)."""
    return endpoint.client("json")


@pytest.fixture
def lam(endpoint: Endpoint) -> BaseClient:
    return lambda_client(endpoint.url, endpoint.region, **endpoint.credentials)


def wait_active(lam: BaseClient, name: str, timeout: float = 60) -> None:
    """Until the function can be invoked (AWS answers CreateFunction with State Pending)."""
    deadline = time.monotonic() + timeout
    while lam.get_function_configuration(FunctionName=name)["State"] != "Active":
        assert time.monotonic() < deadline, f"{name} never became Active"
        time.sleep(0.5)


def wait_updated(lam: BaseClient, name: str, timeout: float = 60) -> None:
    """Until an update has taken effect (AWS shows LastUpdateStatus InProgress meanwhile, and refuses to
    publish)."""
    deadline = time.monotonic() + timeout
    while lam.get_function_configuration(FunctionName=name).get("LastUpdateStatus") != "Successful":
        assert time.monotonic() < deadline, f"{name}'s update never finished"
        time.sleep(0.5)


@pytest.fixture
def make_function(lam: BaseClient) -> Iterator[Callable[..., str]]:
    created: list[str] = []

    def make(source: str, runtime: str = "python3.12", file: str = "handler.py", **extra: object) -> str:
        name = f"conf-{uuid.uuid4().hex[:12]}"
        lam.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=ROLE,
            Handler=file.rsplit(".", 1)[0] + ".handler",
            Code={"ZipFile": zipped({file: source})},
            **extra,
        )
        created.append(name)
        wait_active(lam, name)
        return name

    yield make
    for name in created:
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.delete_function(FunctionName=name)
