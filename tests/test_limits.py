"""HTTP limits: slow or oversized requests are answered and closed instead of holding memory and sockets
(timeouts shortened here to half a second; the defaults are 10 s for a head and 30 s of body silence)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.clients import sqs_client
from tests.harness import ServerProcess

TIMEOUT_S = 0.5


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(
        tmp_path_factory.mktemp("strict") / "data",
        "--in-memory",
        "--controllable-clock",
        "--head-timeout",
        str(TIMEOUT_S),
        "--body-timeout",
        str(TIMEOUT_S),
    ).start() as process:
        yield process


def raw(server: ServerProcess, data: bytes, wait_s: float = 5) -> tuple[bytes, float]:
    """Send `data`, then read until the server closes; what it answered, and after how long."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait_s) as sock:
        started = time.monotonic()
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer, time.monotonic() - started


def test_a_head_that_never_ends_is_cut_off(strict: ServerProcess) -> None:
    answer, took = raw(strict, b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < 4


def test_a_connection_that_sends_nothing_is_closed(strict: ServerProcess) -> None:
    answer, took = raw(strict, b"")
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < 4


def test_a_huge_content_length_is_refused_before_the_body(strict: ServerProcess) -> None:
    head = b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
    answer, _ = raw(strict, head + b"Content-Length: 268435456\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_huge_head_is_refused(strict: ServerProcess) -> None:
    answer, _ = raw(strict, b"GET /?" + b"a" * 300_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431")
    answer, _ = raw(strict, b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"b" * 300_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_stalled_body_is_cut_off(strict: ServerProcess) -> None:
    head = b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n"
    answer, took = raw(strict, head + b"Content-Length: 100\r\n\r\n{")
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < 4


def test_a_long_poll_outlasts_the_timeouts(strict: ServerProcess) -> None:
    sqs = sqs_client(strict.url, "json")
    url = sqs.create_queue(QueueName="patient")["QueueUrl"]
    got: list[Any] = []
    poller = threading.Thread(
        target=lambda: got.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20))
    )
    poller.start()
    strict.wait_for_parked_receives(url)
    time.sleep(3 * TIMEOUT_S)  # parked past both (shortened) timeouts
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"still": "here"}))
    poller.join(10)
    assert got[0]["Messages"][0]["Body"] == '{"still": "here"}'
