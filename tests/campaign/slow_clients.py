"""Slow and oversized clients: slowloris heads, stalled uploads, huge announced bodies, huge heads.

    python -m tests.campaign.slow_clients [--connections 200] [--uploads 40] [--timeout 2] [--endpoint URL]

Without --endpoint it starts a Posthouse of this checkout with `--head-timeout` and `--body-timeout` set to
`--timeout` (the defaults are 10 s and 30 s; shorter here so the run stays bounded; with --endpoint, pass the
server's own timeout). Figures, as one JSON object on stdout: how many connections the server closed and how
long after they stalled, what it answered, its memory growth, and the latency of an ordinary client's sends
meanwhile. The exit status is 1 when a connection was held past twice the timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import statistics
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from tests.campaign.runner import rss_kib, target
from tests.campaign.storm import percentile, probe_other_queue
from tests.campaign.wire import call_once

MIB = 1024 * 1024
ANNOUNCED_UNDER_LIMIT = 7 * MIB
ANNOUNCED_OVER_LIMIT = 15 * MIB
HUGE_HEAD = 256 * 1024


async def _until_closed(reader: asyncio.StreamReader, started: float, limit_s: float) -> tuple[bytes, float]:
    """What the server answered before closing, and when it closed (seconds after `started`)."""
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=limit_s)
    except TimeoutError:
        return b"", float("inf")
    return answer, time.monotonic() - started


async def slowloris(host: str, port: int, limit_s: float) -> tuple[bytes, float]:
    """A head that never ends: one more header line every half second."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST / HTTP/1.1\r\nHost: posthouse\r\n")
    started = time.monotonic()

    async def dribble() -> None:
        while not writer.is_closing():
            await asyncio.sleep(0.5)
            writer.write(b"X-Slow: still-coming\r\n")

    dribbling = asyncio.ensure_future(dribble())
    try:
        return await _until_closed(reader, started, limit_s)
    finally:
        dribbling.cancel()
        writer.close()


async def stalled_upload(
    host: str, port: int, announced: int, sent: int, limit_s: float
) -> tuple[bytes, float]:
    """A body announced as `announced` bytes of which `sent` arrive, then silence."""
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        "POST / HTTP/1.1\r\nHost: posthouse\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Length: {announced}\r\n\r\n"
    )
    writer.write(head.encode() + b" " * sent)
    started = time.monotonic()
    try:
        return await _until_closed(reader, started, limit_s)
    finally:
        writer.close()


async def huge_head(host: str, port: int, where: str, limit_s: float) -> tuple[bytes, float]:
    reader, writer = await asyncio.open_connection(host, port)
    path = "/?" + "a" * HUGE_HEAD if where == "url" else "/"
    header = f"X-Big: {'b' * HUGE_HEAD}\r\n" if where == "header" else ""
    started = time.monotonic()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: posthouse\r\n{header}\r\n".encode())
    with contextlib.suppress(ConnectionError):  # refused mid-send: the answer is still there to read
        await writer.drain()
    try:
        return await _until_closed(reader, started, limit_s)
    finally:
        writer.close()


def _summary(results: list[tuple[bytes, float]]) -> dict[str, Any]:
    closed = [took for _, took in results if took != float("inf")]
    statuses = [
        answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "none" for answer, _ in results
    ]
    return {
        "connections": len(results),
        "closed_by_server": len(closed),
        "answers": {status: statuses.count(status) for status in sorted(set(statuses))},
        "close_s_max": round(max(closed), 2) if closed else None,
    }


async def campaign(
    endpoint: str, connections: int, uploads: int, timeout_s: float, pid: int | None
) -> dict[str, Any]:
    parts = urlsplit(endpoint)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    limit_s = 2 * timeout_s + 5
    other = (await call_once(endpoint, "CreateQueue", {"QueueName": "slow-clients-bystander"})).json()[
        "QueueUrl"
    ]
    processes = multiprocessing.get_context("spawn")
    stop, measured = processes.Event(), processes.Queue()
    bystander = processes.Process(target=probe_other_queue, args=(endpoint, other, stop, measured))
    bystander.start()
    rss_before = rss_kib(pid) if pid else 0
    loris = [slowloris(host, port, limit_s) for _ in range(connections)]
    stalled = [stalled_upload(host, port, ANNOUNCED_UNDER_LIMIT, MIB, limit_s) for _ in range(uploads)]
    oversized = [stalled_upload(host, port, ANNOUNCED_OVER_LIMIT, 0, limit_s) for _ in range(uploads)]
    heads = [huge_head(host, port, where, limit_s) for where in ("url", "header") for _ in range(10)]
    peak = 0

    async def watch_memory() -> None:
        nonlocal peak
        while pid:
            peak = max(peak, rss_kib(pid))
            await asyncio.sleep(0.1)

    watching = asyncio.ensure_future(watch_memory())
    groups = [await asyncio.gather(*group) for group in (loris + stalled, oversized, heads)]
    watching.cancel()
    stop.set()
    latencies: list[float] = measured.get(timeout=30)
    bystander.join()
    await call_once(endpoint, "DeleteQueue", {"QueueUrl": other})
    slow, refused, big = groups[0], groups[1], groups[2]
    return {
        "timeout_s": timeout_s,
        "slowloris": _summary(slow[:connections]),
        "stalled_uploads_1_of_7_mib": _summary(slow[connections:]),
        "announced_15_mib": _summary(refused),
        "huge_url_or_header_256_kib": _summary(big),
        "rss_growth_mib": round((peak - rss_before) / 1024, 1) if pid else None,
        "rss_after_mib": round(rss_kib(pid) / 1024, 1) if pid else None,
        "bystander_send_ms": {
            "count": len(latencies),
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 2),
        },
    }


def held_too_long(figures: dict[str, Any]) -> bool:
    limit = 2 * figures["timeout_s"]
    parts = [v for v in figures.values() if isinstance(v, dict) and "closed_by_server" in v]
    return any(p["closed_by_server"] < p["connections"] or p["close_s_max"] > limit for p in parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200, help="slowloris connections")
    parser.add_argument("--uploads", type=int, default=40, help="stalled uploads, and as many oversized ones")
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's head and body timeout")
    parser.add_argument("--endpoint")
    args = parser.parse_args()
    timeouts = ("--head-timeout", str(args.timeout), "--body-timeout", str(args.timeout))
    with target(args.endpoint, *timeouts) as (endpoint, pid):
        figures = asyncio.run(campaign(endpoint, args.connections, args.uploads, args.timeout, pid))
    json.dump(figures, sys.stdout, indent=1)
    print()
    sys.exit(1 if held_too_long(figures) else 0)


if __name__ == "__main__":
    main()
