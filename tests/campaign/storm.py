"""Long-poll storm: park N long polls on one queue, send N messages, and measure how they are handed out.

    python -m tests.campaign.storm [--polls 5000] [--endpoint URL]

Without --endpoint it starts a Posthouse of this checkout (file-backed, in a temporary folder). Figures, as
one JSON object on stdout: time from the first send to the last poll answered, how many polls got exactly one
message and how many came back empty, duplicates, latency of sends to *another* queue meanwhile, and the
server's memory per parked poll. Bounded: every poll waits at most 20 s, the whole run at most `--limit` s.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import statistics
import sys
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any
from urllib.parse import urlsplit

from tests.campaign.runner import rss_kib, target
from tests.campaign.wire import Connection, call_once

WAIT_S = 20


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def parked(endpoint: str, name: str) -> int:
    connection = await Connection.open(endpoint)
    try:
        reply = await connection.request("GET", f"/admin/sqs/queues/000000000000/us-east-1/{name}", b"", {})
        return int(reply.json()["receives_waiting"])
    finally:
        await connection.close()


async def poll(endpoint: str, url: str, opened: asyncio.Semaphore) -> tuple[list[str], float]:
    async with opened:
        connection = await Connection.open(endpoint)
    try:
        reply = await connection.sqs("ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": WAIT_S})
        return [m["MessageId"] for m in reply.json().get("Messages", [])], time.monotonic()
    finally:
        await connection.close()


async def send_all(endpoint: str, url: str, count: int, senders: int) -> None:
    batches = [list(range(start, min(count, start + 10))) for start in range(0, count, 10)]

    async def sender(mine: list[list[int]]) -> None:
        connection = await Connection.open(endpoint)
        for batch in mine:
            entries = [{"Id": str(n), "MessageBody": f"storm {n}"} for n in batch]
            await connection.sqs("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
        await connection.close()

    await asyncio.gather(*(sender(batches[i::senders]) for i in range(senders)))


def probe_other_queue(endpoint: str, url: str, stop: Event, results: Queue[list[float]]) -> None:
    """In a process of its own, so the storm client's busy event loop does not count in these latencies."""
    connection = http.client.HTTPConnection(urlsplit(endpoint).netloc, timeout=30)
    body = json.dumps({"QueueUrl": url, "MessageBody": "bystander"}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage"}
    latencies: list[float] = []
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("POST", "/", body, headers)
        connection.getresponse().read()
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.005)
    connection.close()
    results.put(latencies)


async def storm(endpoint: str, polls: int, server_pid: int | None, limit_s: float) -> dict[str, Any]:
    name = f"storm-{int(time.time() * 1000)}"
    url = (await call_once(endpoint, "CreateQueue", {"QueueName": name})).json()["QueueUrl"]
    other = (await call_once(endpoint, "CreateQueue", {"QueueName": name + "-other"})).json()["QueueUrl"]
    rss_before = rss_kib(server_pid) if server_pid else 0
    opened = asyncio.Semaphore(200)
    pollers = [asyncio.ensure_future(poll(endpoint, url, opened)) for _ in range(polls)]
    deadline = time.monotonic() + limit_s
    while await parked(endpoint, name) < polls:
        if time.monotonic() > deadline:
            raise TimeoutError("the polls never all parked")
        await asyncio.sleep(0.05)
    rss_parked = rss_kib(server_pid) if server_pid else 0
    processes = multiprocessing.get_context("spawn")
    stop, measured = processes.Event(), processes.Queue()
    bystander = processes.Process(target=probe_other_queue, args=(endpoint, other, stop, measured))
    bystander.start()
    await asyncio.sleep(0.5)
    first_send = time.monotonic()
    await send_all(endpoint, url, polls, senders=8)
    sent_s = time.monotonic() - first_send
    results = await asyncio.wait_for(asyncio.gather(*pollers), timeout=limit_s)
    stop.set()
    latencies = measured.get(timeout=30)
    bystander.join()
    ids = [message_id for got, _ in results for message_id in got]
    answered = [at for got, at in results if got]
    for queue_url in (url, other):
        await call_once(endpoint, "DeleteQueue", {"QueueUrl": queue_url})
    return {
        "polls": polls,
        "sent_in_s": round(sent_s, 3),
        "release_s": round(max(answered) - first_send, 3) if answered else None,
        "with_one_message": sum(1 for got, _ in results if len(got) == 1),
        "empty": sum(1 for got, _ in results if not got),
        "duplicates": len(ids) - len(set(ids)),
        "other_queue_send_ms": {
            "count": len(latencies),
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 2),
            "max": round(max(latencies), 2) if latencies else None,
        },
        "rss_kib_per_parked_poll": round((rss_parked - rss_before) / polls, 1) if server_pid else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polls", type=int, default=5000)
    parser.add_argument("--endpoint")
    parser.add_argument("--limit", type=float, default=60, help="seconds the whole run may take")
    args = parser.parse_args()
    with target(args.endpoint) as (endpoint, pid):
        figures = asyncio.run(storm(endpoint, args.polls, pid, args.limit))
    json.dump(figures, sys.stdout)
    print()


if __name__ == "__main__":
    main()
