"""FIFO scenarios for the shared load generator (`../shared/bench/sqsload.py`, which has none).

Reuses sqsload's byte-exact boto3-like client, connections and statistics; adds:
  fifo-send   SendMessage to a FIFO queue, N connections, messages spread over --groups message groups
  fifo-batch  SendMessageBatch, 10 messages per request (one group per request)
  fifo-drain  pre-fill, then N consumers ReceiveMessage(10) + DeleteMessageBatch until empty; checks that
              every message arrives once and every group arrives in send order

    python tests/load/fifo_load.py --endpoint http://127.0.0.1:4566 --sqsload ../shared/bench/sqsload.py
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
import time
from collections import defaultdict
from itertools import count
from types import ModuleType
from typing import Any

_UNIQUE = count()  # deduplication ids: every message sent is a new one


def load_sqsload(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("sqsload", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["sqsload"] = module
    spec.loader.exec_module(module)
    return module


async def create_fifo(sq: ModuleType, ctx: Any, name: str) -> str:
    conn = ctx.conn()
    attributes = {"FifoQueue": "true", "VisibilityTimeout": "900"}
    reply = await ctx.sqs.call(conn, "CreateQueue", {"QueueName": name, "Attributes": attributes})
    conn.discard()
    return str(reply["QueueUrl"])


def entry(group: int, seq: int, size: int, sq: ModuleType) -> dict[str, str]:
    body = sq.body_for(f"g{group}", seq, size)
    return {"MessageBody": body, "MessageGroupId": f"g{group}", "MessageDeduplicationId": str(next(_UNIQUE))}


async def send_phase(sq: ModuleType, ctx: Any, url: str, batch: bool, seconds: float) -> dict[str, Any]:
    args = ctx.args
    stats = sq.Stats()
    sent = 0
    stop_at = time.perf_counter() + seconds

    async def sender(worker: int) -> None:
        nonlocal sent
        conn = ctx.conn()
        seq = 0
        while time.perf_counter() < stop_at:
            group = (worker * 7 + seq) % args.groups
            if batch:
                entries = [entry(group, seq * 10 + i, args.body_size, sq) | {"Id": str(i)} for i in range(10)]
                reply = await stats.timed(
                    ctx.sqs, conn, "SendMessageBatch", {"QueueUrl": url, "Entries": entries}
                )
                accepted = len(reply.get("Successful", [])) if reply else 0
            else:
                params = {"QueueUrl": url} | entry(group, seq, args.body_size, sq)
                accepted = 1 if await stats.timed(ctx.sqs, conn, "SendMessage", params) else 0
            sent += accepted  # never `sent += await ...`: that reads `sent` before the await
            seq += 1
        conn.discard()

    started = time.perf_counter()
    await asyncio.gather(*(sender(w) for w in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    op = stats.summary(elapsed)["SendMessageBatch" if batch else "SendMessage"]
    return {
        "msgs_per_s": round(sent / elapsed),
        "p50_ms": op["p50_ms"],
        "p99_ms": op["p99_ms"],
        "errors": stats.errors(),
    }


async def drain_phase(sq: ModuleType, ctx: Any, url: str) -> dict[str, Any]:
    args = ctx.args
    fill = ctx.conn()
    per_group: dict[str, list[int]] = defaultdict(list)
    for start in range(0, args.count_drain, 10):
        group = (start // 10) % args.groups
        entries = [entry(group, start + i, args.body_size, sq) | {"Id": str(i)} for i in range(10)]
        await ctx.sqs.call(fill, "SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    fill.discard()
    stats = sq.Stats()
    idle_until = [time.perf_counter() + args.idle_timeout]

    async def consumer() -> None:
        conn = ctx.conn()
        while time.perf_counter() < idle_until[0]:
            reply = await stats.timed(
                ctx.sqs, conn, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10}
            )
            messages = (reply or {}).get("Messages", [])
            if not messages:
                continue
            idle_until[0] = time.perf_counter() + args.idle_timeout
            for message in messages:
                group, seq, _ = message["Body"].split(":", 2)
                per_group[group].append(int(seq))
            handles = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            await stats.timed(ctx.sqs, conn, "DeleteMessageBatch", {"QueueUrl": url, "Entries": handles})
        conn.discard()

    started = time.perf_counter()
    await asyncio.gather(*(consumer() for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - started - args.idle_timeout
    received = sum(len(seqs) for seqs in per_group.values())
    in_order = all(seqs == sorted(seqs) for seqs in per_group.values())
    duplicates = received - len({(g, s) for g, seqs in per_group.items() for s in seqs})
    return {
        "msgs_per_s": round(received / elapsed),
        "received": received,
        "lost": args.count_drain - received + duplicates,
        "duplicates": duplicates,
        "groups_in_order": in_order,
        "errors": stats.errors(),
    }


async def main_async(sq: ModuleType, args: argparse.Namespace) -> None:
    ctx = sq.Ctx(args)
    watchdog = asyncio.ensure_future(sq._watchdog())
    try:
        for scenario in args.scenarios.split(","):
            for run in range(1, args.repeat + 1):
                url = await create_fifo(sq, ctx, f"fifoload-{ctx.run_id}-{scenario}-{run}.fifo")
                if scenario == "fifo-drain":
                    result = await drain_phase(sq, ctx, url)
                else:
                    result = await send_phase(sq, ctx, url, scenario == "fifo-batch", args.duration)
                print(
                    json.dumps({"scenario": scenario, "run": run, "concurrency": args.concurrency} | result),
                    flush=True,
                )
                conn = ctx.conn()
                await ctx.sqs.call(conn, "DeleteQueue", {"QueueUrl": url})
                conn.discard()
    finally:
        watchdog.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sqsload", default="../shared/bench/sqsload.py", help="path of the shared sqsload.py"
    )
    parser.add_argument("--scenarios", default="fifo-send,fifo-batch,fifo-drain")
    parser.add_argument("--groups", type=int, default=64, help="message groups the load is spread over")
    known, rest = parser.parse_known_args()
    sq = load_sqsload(known.sqsload)
    args = sq.parse_args([*rest, "--scenarios", "send"])
    for name, value in vars(known).items():
        setattr(args, name, value)
    asyncio.run(main_async(sq, args))


if __name__ == "__main__":
    main()
