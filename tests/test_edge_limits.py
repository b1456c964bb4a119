"""Request bodies at the edge: each operation's own limit with its own error, and a budget for what all
connections hold together, so stalled uploads cannot pin memory without bound."""

from __future__ import annotations

import asyncio
import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import lambda_client
from tests.campaign.runner import rss_kib
from tests.harness import ServerProcess
from tests.test_wire import JSON_TYPE, call

MIB = 1024 * 1024
ROLE = "arn:aws:iam::000000000000:role/r"


@pytest.fixture(scope="module")
def budgeted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(
        tmp_path_factory.mktemp("budget") / "data",
        "--in-memory",
        "--body-budget-mb",
        "32",
        "--body-timeout",
        "3",
    ).start() as process:
        yield process


def _zip_of(size: int) -> bytes:
    """A zip whose code does not compress: its size is about `size`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
        archive.writestr("blob.bin", os.urandom(size))
    return out.getvalue()


def _lambda(url: str) -> BaseClient:
    return lambda_client(url)


def test_a_20_mb_zip_uploads_and_a_60_mb_one_gets_lambdas_413(server: ServerProcess) -> None:
    lam = _lambda(server.url)
    package = _zip_of(20 * MIB)
    created = lam.create_function(
        FunctionName="big-package",
        Runtime="python3.12",
        Role=ROLE,
        Handler="handler.handler",
        Code={"ZipFile": package},
    )
    assert created["CodeSize"] == len(package)
    with pytest.raises(ClientError) as refused:
        lam.update_function_code(FunctionName="big-package", ZipFile=_zip_of(60 * MIB))
    error = refused.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestEntityTooLargeException"
    assert error["Error"]["Message"] == (
        "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation"
    )
    lam.delete_function(FunctionName="big-package")


def test_a_sync_invoke_over_6_mb_gets_lambdas_413(server: ServerProcess) -> None:
    lam = _lambda(server.url)
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName="anything", Payload=json.dumps({"x": "y" * (6 * MIB)}).encode())
    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert "6291456 bytes for the InvokeFunction operation" in refused.value.response["Error"]["Message"]


def test_an_sqs_body_over_the_limit_gets_an_error_in_its_protocol(server: ServerProcess) -> None:
    body = json.dumps({"QueueUrl": "q", "MessageBody": "x" * (9 * MIB)}).encode()
    status, headers, answer = call(
        server, "POST", "/", body, Content_Type=JSON_TYPE, X_Amz_Target="AmazonSQS.SendMessage"
    )
    assert status == 413
    assert headers["content-type"].startswith("application/x-amz-json-1.0")
    assert json.loads(answer)["__type"].endswith("RequestEntityTooLarge")


async def _stalled_upload(port: int, announced: int, sent: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: {announced}\r\n\r\n"
    )
    writer.write(head.encode() + b" " * sent)
    try:
        return await asyncio.wait_for(reader.read(), timeout=30)
    finally:
        writer.close()


def test_200_stalled_uploads_hold_no_more_than_the_budget(budgeted: ServerProcess, tmp_path: Path) -> None:
    assert budgeted.process is not None
    pid = budgeted.process.pid
    before = rss_kib(pid)
    peak = 0

    async def run() -> list[bytes]:
        nonlocal peak
        uploads = asyncio.gather(*(_stalled_upload(budgeted.port, 7 * MIB, 2 * MIB) for _ in range(200)))
        while not uploads.done():
            peak = max(peak, rss_kib(pid))
            await asyncio.sleep(0.1)
        return await uploads

    answers = asyncio.run(run())
    statuses = {answer.split(b" ", 2)[1] for answer in answers if answer}
    assert statuses == {b"408"}  # every one was cut off once it stalled
    growth_mib = (peak - before) / 1024
    # Measured +55-86 MiB (the 32 MiB budget, plus ~300 KiB per connection); 1.61 GB before the budget.
    assert growth_mib < 200, f"RSS grew {growth_mib:.0f} MiB"
    deadline = time.monotonic() + 6  # the server gives freed body memory back 3 s after it was let go
    while (kept_mib := (rss_kib(pid) - before) / 1024) >= 100 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kept_mib < 100, f"{kept_mib:.0f} MiB kept"  # measured ~25 MiB; 366 MB before the budget
    status, _, _ = call(
        budgeted, "POST", "/", b"{}", Content_Type=JSON_TYPE, X_Amz_Target="AmazonSQS.ListQueues"
    )
    assert status == 200


def test_a_body_over_the_budget_gets_503_in_its_protocol(budgeted: ServerProcess) -> None:
    async def run() -> bytes:
        holders = [
            asyncio.ensure_future(_stalled_upload(budgeted.port, 8 * MIB - 1024, MIB)) for _ in range(4)
        ]
        await asyncio.sleep(0.5)  # 4 x 8 MiB announced: the 32 MiB budget is spent
        status, headers, body = await asyncio.to_thread(
            call,
            budgeted,
            "POST",
            "/",
            json.dumps({"QueueUrl": "q", "MessageBody": "x" * MIB}).encode(),
            Content_Type=JSON_TYPE,
            X_Amz_Target="AmazonSQS.SendMessage",
        )
        assert status == 503
        assert json.loads(body)["__type"].endswith("ServiceUnavailable")
        assert headers["x-amzn-query-error"] == "ServiceUnavailable;Receiver"
        for holder in holders:
            holder.cancel()
        return body

    asyncio.run(run())
