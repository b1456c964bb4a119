"""A fixed public base URL for queue URLs (--base-url), e.g. behind a proxy or a published port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.clients import sqs_client
from tests.harness import ServerProcess

PUBLIC = "https://sqs.example.test:9443"


@pytest.fixture(scope="module")
def public_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data: Path = tmp_path_factory.mktemp("public") / "data"
    process = ServerProcess(data, "--base-url", PUBLIC + "/").start()
    yield process
    process.stop()


def test_queue_urls_use_the_configured_base(public_server: ServerProcess, protocol: str) -> None:
    sqs = sqs_client(public_server.url, protocol)
    url = sqs.create_queue(QueueName=f"public-{protocol}")["QueueUrl"]
    assert url == f"{PUBLIC}/000000000000/public-{protocol}"
    assert sqs.list_queues(QueueNamePrefix="public-")["QueueUrls"][0].startswith(PUBLIC)
    sqs.send_message(QueueUrl=url, MessageBody="reached through the public URL's path")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "reached through the public URL's path"
