"""A full disk, seen by an SDK: sends fail with AWS's 503 ServiceUnavailable (never a hang or a 500), and
once there is room again the same server, not restarted, takes writes and has every send it answered 200."""

from __future__ import annotations

import subprocess
import sys
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
        status, health = server.admin("GET", "/health")  # its own probe writes nothing: the writer saw it
        assert status == 503
        assert "full" in health["storage"]["problem"]
        assert server.admin("GET", "/ready")[0] == 503

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


def _fill(server: ServerProcess, count: int) -> str:
    sqs = sqs_client(server.url, "json")
    url: str = sqs.create_queue(QueueName="damaged")["QueueUrl"]
    for _ in range(count // 10):
        entries = [{"Id": str(i), "MessageBody": "m" * 4000} for i in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    return url


def _damage_middle_pages(database: Path) -> None:
    """Overwrite pages in the middle of the file (message rows and their indexes), as a bad disk would."""
    size = database.stat().st_size
    with open(database, "r+b") as file:
        file.seek(size // 3)
        file.write(b"\xde\xad\xbe\xef" * (size // 12))


def test_a_damaged_page_shows_on_health_and_a_restart_after_a_kill_refuses_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    try:
        url = _fill(server, 600)
    finally:
        server.stop()
    _damage_middle_pages(data / "posthouse.db")

    server = ServerProcess(data).start()  # it closed cleanly: no check at start, so the damage is met later
    sqs = sqs_client(server.url, "json")
    try:
        with pytest.raises(ClientError) as refused:
            for _ in range(60):  # take and delete, until a read or write meets a damaged page
                for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        status, health = server.admin("GET", "/health")
        assert status == 503
        assert "damaged" in health["storage"]["problem"]
        sqs.create_queue(QueueName="elsewhere")  # a write elsewhere that works does not hide the damage
        assert server.admin("GET", "/health")[0] == 503
        assert server.admin("GET", "/ready")[0] == 503
    finally:
        server.kill()

    restarted = ServerProcess(data)
    earlier = len(restarted.log_path.read_text())
    with pytest.raises(RuntimeError):
        restarted.start(timeout=10)
    log = restarted.log_path.read_text()[earlier:]
    lines = [line for line in log.splitlines() if "posthouse:" in line]
    assert len(lines) == 1
    assert "is damaged" in lines[0] and "posthouse backup" in lines[0]
    assert "Traceback" not in log


def test_a_second_server_cannot_open_the_database_even_without_the_files_beside_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with ServerProcess(data).start():
        for leftover in data.glob("posthouse.db.*"):
            leftover.unlink()
        second = ServerProcess(data)
        with pytest.raises(RuntimeError):
            second.start(timeout=10)
        log = second.log_path.read_text()
        assert "in use by another Posthouse process" in log
        assert "Traceback" not in log


def test_start_up_refusals_are_one_line(tmp_path: Path) -> None:
    not_a_database = tmp_path / "garbage"
    not_a_database.mkdir()
    (not_a_database / "posthouse.db").write_bytes(b"this is not SQLite" * 1000)
    unwritable = tmp_path / "file-in-the-way"
    unwritable.write_text("a file where the data directory should be")
    for data, expected in ((not_a_database, "cannot be opened as a database"), (unwritable, "cannot open")):
        server = ServerProcess(data)
        with pytest.raises(RuntimeError):
            server.start(timeout=10)
        log = server.log_path.read_text()
        assert expected in log
        assert "Traceback" not in log


def test_a_backup_taken_while_the_server_writes_restores_every_answered_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    copy = tmp_path / "restored" / "posthouse.db"
    copy.parent.mkdir()
    with ServerProcess(data).start() as server:
        url = _fill(server, 100)
        taken = subprocess.run(
            [sys.executable, "-m", "server", "backup", str(copy), "--data-dir", str(data)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert taken.returncode == 0, taken.stderr
        assert "copied to" in taken.stdout
    again = subprocess.run(
        [sys.executable, "-m", "server", "backup", str(copy), "--data-dir", str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (again.returncode, again.stderr.count("\n")) == (1, 1)  # one line: the copy exists already
    with ServerProcess(copy.parent).start() as restored:
        sqs = sqs_client(restored.url, "json")
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        assert counts["Attributes"]["ApproximateNumberOfMessages"] == "100"
