"""A PublishBatch's signatures are made by a helper process: each verifies with the served certificate, a
dead helper costs no publish (the server signs itself, then starts another), and the helper dies with the
server, even by kill -9."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.client import BaseClient

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_workers import _children
from tests.test_sns_publish import _verify, received, subscribed_queue
from tests.test_sns_topics import unique


def _helpers(server: ServerProcess) -> list[int]:
    assert server.process is not None
    return [
        pid
        for pid in _children(server.process.pid)
        if b"signing_helper" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _publish_batches(sns: BaseClient, topic: str, batches: int) -> None:
    for batch in range(batches):
        entries = [{"Id": str(n), "Message": f"m-{batch}-{n}", "Subject": "s"} for n in range(10)]
        assert not sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)["Failed"]


def _all_verify(sqs: BaseClient, url: str, count: int) -> None:
    messages = received(sqs, url, count)
    assert len(messages) == count
    for message in messages:
        _verify(json.loads(message["Body"]))


@pytest.mark.parametrize("version", ["1", "2"])
def test_batched_signatures_verify_and_survive_a_dead_helper(data_dir: Path, version: str) -> None:
    with ServerProcess(data_dir).start() as server:
        sns, sqs = sns_client(server.url), sqs_client(server.url, "json")
        topic = sns.create_topic(Name=unique(), Attributes={"SignatureVersion": version})["TopicArn"]
        url, _ = subscribed_queue(sns, server, topic)
        _publish_batches(sns, topic, 1)  # signed by the server while the helper starts
        _wait_for(lambda: len(_helpers(server)) == 1)
        _publish_batches(sns, topic, 3)
        _all_verify(sqs, url, 40)
        os.kill(_helpers(server)[0], signal.SIGKILL)
        _publish_batches(sns, topic, 3)  # no publish fails; the server signs until a new helper runs
        _all_verify(sqs, url, 30)


def test_the_helper_dies_with_the_server(data_dir: Path) -> None:
    server = ServerProcess(data_dir).start()
    sns = sns_client(server.url)
    topic = sns.create_topic(Name=unique())["TopicArn"]
    subscribed_queue(sns, server, topic)
    _publish_batches(sns, topic, 1)
    _wait_for(lambda: len(_helpers(server)) == 1)
    (helper,) = _helpers(server)
    server.kill()  # SIGKILL
    _wait_for(
        lambda: not Path(f"/proc/{helper}").exists() or b"Z" in Path(f"/proc/{helper}/stat").read_bytes()[:64]
    )
