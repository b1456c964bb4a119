"""A 200 means committed: state survives kill -9. And a stop is prompt even with long polls open."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from conformance.clients import sqs_client
from tests.harness import ServerProcess


def test_acknowledged_state_survives_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    sqs = sqs_client(first.url, "json")
    url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    in_flight = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=4)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=in_flight[0]["ReceiptHandle"])
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0", "MaximumMessageSize": "2048"})

    acknowledged: list[str] = []
    stop = threading.Event()

    def keep_sending(client: Any) -> None:
        while not stop.is_set():
            try:
                acknowledged.append(client.send_message(QueueUrl=url, MessageBody="load")["MessageId"])
            except (BotoCoreError, ClientError):
                return

    senders = [threading.Thread(target=keep_sending, args=(sqs_client(first.url, "json"),)) for _ in range(4)]
    for sender in senders:
        sender.start()
    time.sleep(1.0)
    first.kill()  # mid-load: some requests are cut off, none acknowledged may be lost
    stop.set()
    for sender in senders:
        sender.join(30)
    assert len(acknowledged) > 50

    second = ServerProcess(data, port=first.port).start()
    try:
        sqs = sqs_client(second.url, "json")
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["MaximumMessageSize"] == "2048"
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "3"
        stored: set[str] = set()
        bodies: list[str] = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            stored.update(m["MessageId"] for m in batch)
            bodies.extend(m["Body"] for m in batch)
        assert set(acknowledged) <= stored
        assert sorted(b for b in bodies if b != "load") == [f"m{i}" for i in range(4, 10)]
        # In-flight messages kept their receive count and their handles still work.
        handle = in_flight[1]["ReceiptHandle"]
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        assert again["MessageId"] == in_flight[1]["MessageId"]
        assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    finally:
        second.stop()


def test_graceful_stop_with_open_long_polls_and_a_running_move_task(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(QueueName="polled")["QueueUrl"]
    dead_letters = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:000000000000:dlq"
    policy = f'{{"deadLetterTargetArn":"{arn}","maxReceiveCount":1}}'
    sqs.create_queue(QueueName="source", Attributes={"RedrivePolicy": policy})
    sqs.send_message_batch(
        QueueUrl=dead_letters, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(10)]
    )
    sqs.create_queue(QueueName="destination")
    destination = "arn:aws:sqs:us-east-1:000000000000:destination"
    sqs.start_message_move_task(SourceArn=arn, DestinationArn=destination, MaxNumberOfMessagesPerSecond=1)
    results: list[Any] = []

    def poll() -> None:
        try:
            results.append(sqs_client(server.url, "json").receive_message(QueueUrl=url, WaitTimeSeconds=20))
        except (BotoCoreError, ClientError) as error:
            results.append(error)

    pollers = [threading.Thread(target=poll) for _ in range(3)]
    for poller in pollers:
        poller.start()
    server.wait_for_parked_receives(url, 3)
    assert sqs.list_message_move_tasks(SourceArn=arn)["Results"][0]["Status"] == "RUNNING"
    took = server.stop()
    assert took < 10
    for poller in pollers:
        poller.join(10)
    assert len(results) == 3
    assert all(isinstance(r, dict) and "Messages" not in r for r in results)
    # uvicorn re-raises SIGTERM once it has shut down; the closed database proves the shutdown was clean.
    assert server.process is not None and server.process.returncode in (0, -signal.SIGTERM)
    assert (tmp_path / "data" / "posthouse.db").exists()
    assert not (tmp_path / "data" / "posthouse.db-wal").exists()


def test_a_second_server_on_the_same_data_refuses_to_start(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path / "data").start()
    try:
        second = ServerProcess(tmp_path / "data")
        with pytest.raises(RuntimeError, match="in use by another Posthouse process"):
            second.start()
        assert second.process is not None and second.process.wait(10) != 0
    finally:
        first.stop()


@contextmanager
def restarted_after_kill(first: ServerProcess, data: Path) -> Iterator[BaseClient]:
    """kill -9 the server, start a new one on the same data, and hand out a client of it."""
    first.kill()
    second = ServerProcess(data, port=first.port).start()
    try:
        yield sqs_client(second.url, "json")
    finally:
        second.stop()


def test_fifo_state_survives_kill_9(tmp_path: Path) -> None:
    """Dedup ids, group locks and the sequence counter are on disk, not in memory."""
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    sqs = sqs_client(first.url, "json")
    url = sqs.create_queue(
        QueueName="durable.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sent = [sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g") for i in range(3)]
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"][0]["Body"] == "m0"
    with restarted_after_kill(first, data) as sqs:
        duplicate = sqs.send_message(QueueUrl=url, MessageBody="m1", MessageGroupId="g")
        assert duplicate["MessageId"] == sent[1]["MessageId"]
        fresh = sqs.send_message(QueueUrl=url, MessageBody="m3", MessageGroupId="g")
        assert int(fresh["SequenceNumber"]) > int(sent[2]["SequenceNumber"])
        assert "Messages" not in sqs.receive_message(QueueUrl=url)  # the group is still locked


def test_move_task_survives_kill_9_without_loss_or_duplicates(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    sqs = sqs_client(first.url, "json")
    dead_letters = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:000000000000:dlq"
    sqs.create_queue(
        QueueName="source",
        Attributes={"RedrivePolicy": f'{{"deadLetterTargetArn":"{arn}","maxReceiveCount":1}}'},
    )
    destination = sqs.create_queue(QueueName="destination")["QueueUrl"]
    sent: set[str] = set()
    for batch in range(30):
        entries = [{"Id": str(i), "MessageBody": f"{batch}:{i}"} for i in range(10)]
        sent.update(
            m["MessageId"]
            for m in sqs.send_message_batch(QueueUrl=dead_letters, Entries=entries)["Successful"]
        )
    sqs.start_message_move_task(
        SourceArn=arn,
        DestinationArn="arn:aws:sqs:us-east-1:000000000000:destination",
        MaxNumberOfMessagesPerSecond=100,
    )
    deadline = time.monotonic() + 10
    while sqs.list_message_move_tasks(SourceArn=arn)["Results"][0]["ApproximateNumberOfMessagesMoved"] < 50:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with restarted_after_kill(first, data) as sqs:  # killed mid-task
        deadline = time.monotonic() + 15
        while (task := sqs.list_message_move_tasks(SourceArn=arn)["Results"][0])["Status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert task["Status"] == "COMPLETED"  # the task resumed after the restart
        assert task["ApproximateNumberOfMessagesMoved"] == 300
        received: list[str] = []
        while batch := sqs.receive_message(QueueUrl=destination, MaxNumberOfMessages=10).get("Messages"):
            received.extend(m["MessageId"] for m in batch)
        assert sorted(received) == sorted(sent)  # each exactly once
        assert "Messages" not in sqs.receive_message(QueueUrl=dead_letters)
