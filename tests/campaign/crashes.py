"""kill -9 under load, with the books kept: FIFO and standard traffic, dead-lettering and redrive, while the
server is killed and restarted over and over.

    python -m tests.campaign.crashes [--seconds 30] [--kills 10]

It starts a file-backed Posthouse of this checkout (it has to kill it, so no --endpoint). FIFO producers send
numbered messages per group and resend an unanswered one with the same deduplication id until it is answered;
a FIFO consumer checks the order of what it gets and deletes all but the poison messages, which go to the FIFO
dead-letter queue after two receives. Standard traffic does the same, and a mover redrives its dead-letter
queue to a third queue. After the last restart everything is drained and counted: an answered send that is
nowhere is lost, a message delivered after its delete was answered is resurrected, a message found twice is
duplicated, and a FIFO message delivered while an earlier one of its group was still pending breaks the order.
Figures, as one JSON object on stdout; the exit status is 1 when any of those counts is not 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.campaign.wire import Connection
from tests.harness import ServerProcess

GROUPS = 4
POISON_EVERY = 25
BACKLOG = 2000
REPLY_TIMEOUT_S = 10  # far above any answer's time; a connection that hangs counts as no answer
ARN = "arn:aws:sqs:us-east-1:000000000000:"
REDRIVEN_ARN = ARN + "crash-redriven"
COUNTS = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]
LOAD_QUEUES = ("crash.fifo", "crash")
QUEUES: dict[str, dict[str, str]] = {
    "crash-dlq.fifo": {"FifoQueue": "true"},
    "crash.fifo": {
        "FifoQueue": "true",
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": ARN + "crash-dlq.fifo", "maxReceiveCount": 2}),
    },
    "crash-dlq": {},
    "crash-redriven": {},
    "crash": {
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": ARN + "crash-dlq", "maxReceiveCount": 2}),
    },
}


@dataclass
class Books:
    sent: set[str] = field(default_factory=set)
    unanswered_sends: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    unanswered_deletes: set[str] = field(default_factory=set)
    resurrected: set[str] = field(default_factory=set)
    order_violations: list[str] = field(default_factory=list)
    delivered: int = 0

    async def room(self, stop: asyncio.Event) -> None:
        """Producers wait while the backlog is large, so the drain at the end stays short."""
        while len(self.sent) - len(self.deleted) > BACKLOG and not stop.is_set():  # noqa: ASYNC110 - polled
            await asyncio.sleep(0.01)


def poison(body: str) -> bool:
    return int(body.rsplit(":", 1)[1]) % POISON_EVERY == POISON_EVERY - 1


class Client:
    """JSON 1.0 calls that ride out a dead server: None when no answer came (the request may have committed)."""

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint
        self._connection: Connection | None = None

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        try:
            if self._connection is None:
                self._connection = await Connection.open(self._endpoint)
            reply = await asyncio.wait_for(self._connection.sqs(operation, params), REPLY_TIMEOUT_S)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            await self.close()
            await asyncio.sleep(0.05)
            return None
        return dict(reply.json()) if reply.status == 200 else None

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()


class Pool:
    """The clients of one run, so they can all be closed at its end."""

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint
        self._clients: list[Client] = []

    def new(self) -> Client:
        self._clients.append(Client(self._endpoint))
        return self._clients[-1]

    async def close(self) -> None:
        for client in self._clients:
            await client.close()


def url(endpoint: str, name: str) -> str:
    return f"{endpoint}/000000000000/{name}"


async def fifo_producer(client: Client, endpoint: str, group: int, books: Books, stop: asyncio.Event) -> None:
    number = 0
    while not stop.is_set():
        await books.room(stop)
        body = f"g{group}:{number}"
        params = {"QueueUrl": url(endpoint, "crash.fifo"), "MessageBody": body, "MessageGroupId": f"g{group}"}
        params["MessageDeduplicationId"] = body
        while await client.call("SendMessage", params) is None:  # same dedup id: at most one copy
            books.unanswered_sends.add(body)
        books.sent.add(body)
        number += 1


async def standard_producer(client: Client, endpoint: str, books: Books, stop: asyncio.Event) -> None:
    number = 0
    while not stop.is_set():
        await books.room(stop)
        body = f"s:{number}"
        entries = [{"Id": str(i), "MessageBody": f"{body}.{i}:{number * 10 + i}"} for i in range(10)]
        reply = await client.call(
            "SendMessageBatch", {"QueueUrl": url(endpoint, "crash"), "Entries": entries}
        )
        bodies = {entry["MessageBody"] for entry in entries}
        if reply is None:
            books.unanswered_sends |= bodies  # no dedup on a standard queue: not resent
        else:
            books.sent |= bodies
        number += 1


def check_fifo_order(books: Books, body: str, pending: dict[str, set[int]], batch_before: set[str]) -> None:
    group, number = body.split(":")
    earlier = {n for n in pending[group] if n < int(number)}
    if any(f"{group}:{n}" not in batch_before for n in earlier):
        books.order_violations.append(f"{body} delivered while {group}:{min(earlier)} was pending")


async def consumer(client: Client, endpoint: str, name: str, books: Books, stop: asyncio.Event) -> None:
    fifo = name.endswith(".fifo")
    while not stop.is_set():
        params = {"QueueUrl": url(endpoint, name), "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1}
        reply = await client.call("ReceiveMessage", params)
        pending: dict[str, set[int]] = defaultdict(set)
        if fifo:  # answered sends of each group not yet deleted (poison ones may be in the dead-letter queue)
            for body in books.sent - books.deleted - books.unanswered_deletes:
                if body.startswith("g") and not poison(body):
                    group, number = body.split(":")
                    pending[group].add(int(number))
        batch_before: set[str] = set()
        to_delete: dict[str, str] = {}
        for message in (reply or {}).get("Messages", []):
            body = message["Body"]
            books.delivered += 1
            if body in books.deleted:
                books.resurrected.add(body)
            if fifo:
                check_fifo_order(books, body, pending, batch_before)
                batch_before.add(body)
            if poison(body):  # back at once: to its dead-letter queue without waiting out a timeout
                handle = {"QueueUrl": url(endpoint, name), "ReceiptHandle": message["ReceiptHandle"]}
                await client.call("ChangeMessageVisibility", {**handle, "VisibilityTimeout": 0})
            else:
                to_delete[body] = message["ReceiptHandle"]
        await delete(client, url(endpoint, name), to_delete, books)


async def delete(client: Client, queue_url: str, handles: dict[str, str], books: Books) -> None:
    """DeleteMessageBatch, entry ids being the bodies' positions; a delete counts once its entry succeeded."""
    if not handles:
        return
    bodies = list(handles)
    entries = [{"Id": str(i), "ReceiptHandle": handles[body]} for i, body in enumerate(bodies)]
    reply = await client.call("DeleteMessageBatch", {"QueueUrl": queue_url, "Entries": entries})
    done = {bodies[int(entry["Id"])] for entry in (reply or {}).get("Successful", [])}
    books.deleted |= done
    books.unanswered_deletes |= set(bodies) - done


async def mover(client: Client, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await client.call(
            "StartMessageMoveTask", {"SourceArn": ARN + "crash-dlq", "DestinationArn": REDRIVEN_ARN}
        )
        await asyncio.sleep(1)


async def killer(server: ServerProcess, kills: int, seconds: float, restarts: list[float]) -> None:
    rng = random.Random(9)
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.3, 2 * seconds / kills - 0.3))
        server.kill()
        started = time.monotonic()
        await asyncio.to_thread(server.start)
        restarts.append(time.monotonic() - started)


async def drain(client: Client, endpoint: str, name: str) -> list[str]:
    """Every message left in the queue, deleted as it is taken (so a FIFO group does not stay locked)."""
    bodies: list[str] = []
    params = {"QueueUrl": url(endpoint, name), "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1}
    while (messages := ((await client.call("ReceiveMessage", params)) or {}).get("Messages", [])) or (
        await messages_in(client, endpoint, name)
    ):
        bodies += [m["Body"] for m in messages]
        await delete(client, url(endpoint, name), {m["Body"]: m["ReceiptHandle"] for m in messages}, Books())
    return bodies


async def settle(pool: Pool, client: Client, endpoint: str, books: Books, limit_s: float) -> None:
    """Let the consumers finish: poison dead-lettered, the dead-letter queue redriven, all else deleted."""
    stop = asyncio.Event()
    workers = [asyncio.ensure_future(consumer(pool.new(), endpoint, n, books, stop)) for n in LOAD_QUEUES]
    workers.append(asyncio.ensure_future(mover(pool.new(), stop)))
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and any(  # noqa: ASYNC110 - the server's counts, polled
        [await messages_in(client, endpoint, n) for n in (*LOAD_QUEUES, "crash-dlq")]
    ):
        await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*workers)


async def messages_in(client: Client, endpoint: str, name: str) -> int:
    reply = await client.call(
        "GetQueueAttributes", {"QueueUrl": url(endpoint, name), "AttributeNames": COUNTS}
    )
    return 1 if reply is None else sum(int(reply["Attributes"][k]) for k in COUNTS)


async def run(server: ServerProcess, seconds: float, kills: int) -> dict[str, Any]:
    endpoint = server.url
    pool = Pool(endpoint)
    setup = pool.new()
    for name, attributes in QUEUES.items():
        assert await setup.call("CreateQueue", {"QueueName": name, "Attributes": attributes}) is not None
    books, stop, restarts = Books(), asyncio.Event(), list[float]()
    workers = [
        asyncio.ensure_future(fifo_producer(pool.new(), endpoint, g, books, stop)) for g in range(GROUPS)
    ]
    workers.append(asyncio.ensure_future(standard_producer(pool.new(), endpoint, books, stop)))
    workers += [asyncio.ensure_future(consumer(pool.new(), endpoint, n, books, stop)) for n in LOAD_QUEUES]
    workers.append(asyncio.ensure_future(mover(pool.new(), stop)))
    await killer(server, kills, seconds, restarts)
    stop.set()
    await asyncio.gather(*workers)
    await settle(pool, setup, endpoint, books, limit_s=max(30.0, seconds))
    left = {name: await drain(setup, endpoint, name) for name in QUEUES}
    await pool.close()
    found = [body for bodies in left.values() for body in bodies]
    everywhere = set(found) | books.deleted | books.unanswered_deletes
    return {
        "kills": len(restarts),
        "restart_to_ready_s": [round(min(restarts), 3), round(max(restarts), 3)] if restarts else None,
        "answered_sends": len(books.sent),
        "answered_deletes": len(books.deleted),
        "deliveries": books.delivered,
        "dead_lettered_fifo": len(left["crash-dlq.fifo"]),
        "redriven_standard": len(left["crash-redriven"]),
        "lost": sorted(books.sent - everywhere)[:20],
        "resurrected": sorted(books.resurrected)[:20],
        "duplicated": sorted({b for b in found if found.count(b) > 1} | (set(found) & books.deleted))[:20],
        "order_violations": books.order_violations[:20],
    }


def failed(figures: dict[str, Any]) -> bool:
    return any(figures[k] for k in ("lost", "resurrected", "duplicated", "order_violations"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="how long the load and the kills last")
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "data").start()
        try:
            figures = asyncio.run(run(server, args.seconds, args.kills))
        finally:
            server.stop()
    json.dump(figures, sys.stdout, indent=1)
    print()
    sys.exit(1 if failed(figures) else 0)


if __name__ == "__main__":
    main()
