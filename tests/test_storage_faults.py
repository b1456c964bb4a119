"""A full disk, seen by an SDK: sends fail with AWS's 503 ServiceUnavailable (never a hang or a 500), and
once there is room again the same server, not restarted, takes writes and has every send it answered 200."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conformance.clients import sqs_client
from tests.harness import ServerProcess

BODY = "x" * 200_000


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB file system of its own (tmpfs), so the database runs out of room quickly."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], check=False
    )
    if mounted.returncode != 0:
        pytest.skip("needs permission to mount a tmpfs")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_disk_full_answers_service_unavailable_and_loses_nothing_answered(
    tiny_disk: Path, tmp_path: Path
) -> None:
    server = ServerProcess(tiny_disk / "data").start()
    server.log_path = tmp_path / "server.log"  # keep the log off the full disk
    try:
        sqs = sqs_client(server.url, "json")
        url = sqs.create_queue(QueueName="full")["QueueUrl"]
        acknowledged = 0
        refusal = None
        for _ in range(40):
            try:
                sqs.send_message(QueueUrl=url, MessageBody=BODY)
                acknowledged += 1
            except ClientError as error:
                refusal = error.response
                break
        assert refusal is not None, "the disk never filled"
        assert refusal["Error"]["Code"] == "ServiceUnavailable"
        assert refusal["ResponseMetadata"]["HTTPStatusCode"] == 503

        grown = subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_disk)], check=False)
        assert grown.returncode == 0
        received = 0
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            received += len(batch)
            for message in batch:
                assert message["Body"] == BODY
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert received == acknowledged
        sqs.send_message(QueueUrl=url, MessageBody="room again")
        assert server.admin("GET", "/health")[0] == 200
    finally:
        server.stop()
