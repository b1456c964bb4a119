"""Long polls get messages handed to them one by one, longest waiting first, instead of all waking at once;
a wake-up is never lost, not even when the poll it was meant for hangs up."""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.client import BaseClient

from conformance.clients import sqs_client
from server.services.sqs.waiters import QueueWaiters
from tests.harness import ServerProcess


class Poll:
    """A ReceiveMessage long poll on a thread of its own, through the test's client."""

    def __init__(self, sqs: BaseClient, url: str, **params: Any) -> None:
        self.result: dict[str, Any] | None = None
        self._thread = threading.Thread(
            target=lambda: setattr(
                self, "result", sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20, **params)
            )
        )
        self._thread.start()

    def bodies(self, timeout: float = 10) -> list[str]:
        self._thread.join(timeout)
        assert self.result is not None, "the poll did not answer"
        return [m["Body"] for m in self.result.get("Messages", [])]

    @property
    def waiting(self) -> bool:
        return self._thread.is_alive()


def parked(server: ServerProcess, url: str) -> int:
    name = url.rsplit("/", 1)[1]
    return int(server.admin("GET", f"/admin/sqs/queues/000000000000/us-east-1/{name}")[1]["receives_waiting"])


async def test_a_wake_reaches_only_the_longest_waiting() -> None:
    waiters = QueueWaiters()
    first, second, third = (waiters.subscribe(7) for _ in range(3))
    waiters.wake(7, 1)
    assert (first.done(), second.done(), third.done()) == (True, False, False)
    waiters.wake(7, 5)  # more wake-ups than waiters: each waiter once
    assert second.done() and third.done()
    requeued = waiters.subscribe(7)
    again_first = waiters.subscribe(7, first=True)
    waiters.wake(7, 1)
    assert again_first.done() and not requeued.done()


def test_one_message_goes_to_the_oldest_poll_and_the_rest_stay_parked(
    server: ServerProcess, sqs: BaseClient, queue_url: str
) -> None:
    oldest = Poll(sqs, queue_url)
    server.wait_for_parked_receives(queue_url, 1)
    younger = Poll(sqs, queue_url)
    server.wait_for_parked_receives(queue_url, 2)
    sqs.send_message(QueueUrl=queue_url, MessageBody="first")
    assert oldest.bodies() == ["first"]
    assert younger.waiting and parked(server, queue_url) == 1
    sqs.send_message(QueueUrl=queue_url, MessageBody="second")
    assert younger.bodies() == ["second"]


def test_a_batch_is_shared_out_among_parked_polls(
    server: ServerProcess, sqs: BaseClient, queue_url: str
) -> None:
    polls = []
    for count in range(1, 11):
        polls.append(Poll(sqs, queue_url))
        server.wait_for_parked_receives(queue_url, count)
    entries = [{"Id": str(n), "MessageBody": f"m{n}"} for n in range(10)]
    sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    got = [poll.bodies() for poll in polls]
    assert all(len(bodies) == 1 for bodies in got)
    assert sorted(b for bodies in got for b in bodies) == sorted(e["MessageBody"] for e in entries)


def test_a_poll_that_hangs_up_passes_its_wake_up_on(
    server: ServerProcess, sqs: BaseClient, queue_url: str
) -> None:
    leaving = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    body = json.dumps({"QueueUrl": queue_url, "WaitTimeSeconds": 20})
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ReceiveMessage"}
    leaving.request("POST", "/", body, headers)
    server.wait_for_parked_receives(queue_url, 1)
    staying = Poll(sqs, queue_url)
    server.wait_for_parked_receives(queue_url, 2)
    leaving.close()  # the oldest poll hangs up
    sqs.send_message(QueueUrl=queue_url, MessageBody="for whoever is left")
    assert staying.bodies() == ["for whoever is left"]


async def test_parked_count_excludes_polls_still_claiming() -> None:
    waiters = QueueWaiters()
    waiters.subscribe(3)  # subscribed, its first claim under way: not parked yet
    assert waiters.waiting(3) == 0
    with waiters.parked(3):
        assert waiters.waiting(3) == 1
    assert waiters.waiting(3) == 0


def finished(polls: list[Poll], count: int, timeout: float = 10) -> list[Poll]:
    deadline = time.monotonic() + timeout
    while len(done := [poll for poll in polls if not poll.waiting]) < count:
        assert time.monotonic() < deadline, f"{len(done)} of {len(polls)} polls answered, not {count}"
        time.sleep(0.02)
    return done


def test_a_visibility_timeout_ending_wakes_one_poll_not_all(tmp_path: Path) -> None:
    """Only the head of the line sleeps until the next in-flight message comes back; the poll that gets it
    hands that timer to the next. (Before: every parked poll woke and claimed at that moment.)"""
    trace = tmp_path / "statements.sql"
    with ServerProcess(
        tmp_path / "data", "--trace-sql", str(trace), "--controllable-clock"
    ).start() as server:
        sqs = sqs_client(server.url, "json")
        url = sqs.create_queue(QueueName="timers.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        for group in ("g1", "g2"):
            sqs.send_message(
                QueueUrl=url, MessageBody=group, MessageGroupId=group, MessageDeduplicationId=group
            )
        for visibility in (5, 10):
            sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=visibility)
        polls = [Poll(sqs, url, MaxNumberOfMessages=1) for _ in range(30)]
        server.wait_for_parked_receives(url, 30)
        before = len(trace.read_text().splitlines())
        server.advance(6)  # the first message is visible again
        assert len(finished(polls, 1)) == 1
        claims = [line for line in trace.read_text().splitlines()[before:] if "FROM fifo_groups" in line]
        assert len(claims) <= 3, len(claims)  # the head's claim and its successor's, not thirty
        server.advance(5)  # the second one: the successor holds the timer now
        answered = finished(polls, 2)
        assert sorted(body for poll in answered for body in poll.bodies()) == ["g1", "g2"]
        server.advance(20)  # the rest reach their deadlines, empty
        assert [poll.bodies() for poll in finished(polls, 30) if poll not in answered] == [[]] * 28


def test_a_message_received_while_others_wait_comes_back_to_them_when_visible_again(
    server: ServerProcess, sqs: BaseClient, queue_url: str
) -> None:
    """Two polls wait on an empty queue; the older gets a message and polls again, behind the other. The one
    now at the head went to sleep with no timer (nothing was in flight then): the newcomer wakes it to take
    the timer over, so the message comes back as soon as its visibility timeout ends, not at a deadline."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "5"})
    older = Poll(sqs, queue_url, AttributeNames=["ApproximateReceiveCount"])
    server.wait_for_parked_receives(queue_url, 1)
    head = Poll(sqs, queue_url, AttributeNames=["ApproximateReceiveCount"])
    server.wait_for_parked_receives(queue_url, 2)
    sqs.send_message(QueueUrl=queue_url, MessageBody="again")
    assert older.bodies() == ["again"]
    newcomer = Poll(sqs, queue_url)
    server.wait_for_parked_receives(queue_url, 2)
    server.advance(6)
    started = time.monotonic()
    assert head.bodies(timeout=5) == ["again"]
    assert time.monotonic() - started < 5  # not the 20-second deadline
    assert head.result is not None
    assert head.result["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "2"
    server.advance(6)  # visible again: the newcomer, at the head now, holds the timer
    assert newcomer.bodies() == ["again"]
