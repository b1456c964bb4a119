"""kill -9 while Lambda works, with the books kept: an SQS event-source mapping and Event invocations.

    python -m tests.campaign.lambda_crashes [--messages 2000] [--events 300] [--kills 6]

It starts a file-backed Posthouse of this checkout (with the controllable clock, so retries and visibility
timeouts need no waiting), maps a queue to a function that forwards every record and every event it gets to
a second queue, sends the messages and queues the Event invocations, and kills the server (kill -9) and
restarts it while they are processed. After the last restart the clock is moved past every retry and
visibility timeout, and the second queue is drained and counted: an acknowledged message or event never
processed is lost (must be 0); one processed more than once is counted as a duplicate (at-least-once: reported,
not a failure). Figures, as one JSON object on stdout; the exit status is 1 when anything was lost.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from conformance.clients import lambda_client, sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function

FORWARDER = """
import json, os
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    ids = [record["body"] for record in event["Records"]] if "Records" in event else [event["id"]]
    for start in range(0, len(ids), 10):
        entries = [{"Id": str(n), "MessageBody": i} for n, i in enumerate(ids[start : start + 10])]
        sqs.send_message_batch(QueueUrl=os.environ["SEEN"], Entries=entries)
"""


def _clients(server: ServerProcess) -> tuple[BaseClient, BaseClient]:
    return sqs_client(server.url, "json"), lambda_client(server.url)


def _setup(server: ServerProcess) -> tuple[str, str, str]:
    sqs, lam = _clients(server)
    source = sqs.create_queue(QueueName="crash-source", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    seen = sqs.create_queue(QueueName="crash-seen")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = python_function(lam, FORWARDER, {"SEEN": seen}, "crash", Timeout=10)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)
    return source, seen, name


def _produce(
    server: ServerProcess, source: str, name: str, first: int, messages: int, events: int
) -> set[str]:
    """Send and queue what the run must account for (numbered from `first`); only what was acknowledged
    counts."""
    sqs, lam = _clients(server)
    acknowledged: set[str] = set()
    for start in range(first, first + messages, 10):
        entries = [{"Id": str(n), "MessageBody": f"m-{start + n}"} for n in range(10)]
        reply = sqs.send_message_batch(QueueUrl=source, Entries=entries)
        acknowledged |= {entries[int(ok["Id"])]["MessageBody"] for ok in reply.get("Successful", [])}
    for n in range(first, first + events):
        payload = json.dumps({"id": f"e-{n}"}).encode()
        if lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)["StatusCode"] == 202:
            acknowledged.add(f"e-{n}")
    return acknowledged


def _drain(server: ServerProcess, seen: str, expected: set[str], limit_s: float) -> Counter[str]:
    sqs, _ = _clients(server)
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and not expected <= set(counts):
        server.advance(130)  # past any visibility timeout and both Event retry delays
        for message in sqs.receive_message(QueueUrl=seen, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            counts[message["Body"]] += 1
            sqs.delete_message(QueueUrl=seen, ReceiptHandle=message["ReceiptHandle"])
    return counts


def run(data_dir: Path, messages: int, events: int, kills: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    server = ServerProcess(data_dir, "--controllable-clock").start()
    source, seen, name = _setup(server)
    acknowledged: set[str] = set()
    rounds = kills + 1  # a share of the work, then a kill while it is being processed, and again
    for round_number in range(rounds):
        first = round_number * 1_000_000
        acknowledged |= _produce(server, source, name, first, messages // rounds, events // rounds)
        if round_number < kills:
            time.sleep(rng.uniform(0.05, 0.3))
            server.kill()
            server = ServerProcess(data_dir, "--controllable-clock", port=server.port).start()
    try:
        counts = _drain(server, seen, acknowledged, limit_s=60 + (messages + events) / 20)
    finally:
        server.stop()
    lost = sorted(acknowledged - set(counts))
    return {
        "kills": kills,
        "acknowledged": len(acknowledged),
        "processed": len(set(counts) & acknowledged),
        "lost": len(lost),
        "lost_examples": lost[:10],
        "processed_twice_or_more": sum(1 for key in acknowledged if counts[key] > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--kills", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = run(Path(folder) / "data", args.messages, args.events, args.kills)
    json.dump(figures, sys.stdout, indent=2)
    print()
    sys.exit(1 if figures["lost"] else 0)


if __name__ == "__main__":
    main()
