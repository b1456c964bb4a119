"""kill -9 in the middle of fan-out: every acknowledged publish is in every subscribed queue exactly once, and
a publish cut off before its answer is in all of them or in none (one transaction)."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_sns_subscriptions import queue_arn

QUEUES = 3


def test_kill_9_during_fan_out_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    sns = sns_client(first.url)
    topic = sns.create_topic(Name="fan-out")["TopicArn"]
    names = [f"q{n}" for n in range(QUEUES)]
    for name in names:
        attributes = {"RawMessageDelivery": "true"}
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(first, name), Attributes=attributes)

    acknowledged: list[str] = []
    counter = itertools.count()
    stop = threading.Event()

    def keep_publishing() -> None:
        client = sns_client(first.url)
        while not stop.is_set():
            body = f"m{next(counter)}"
            try:
                client.publish(TopicArn=topic, Message=body)
            except (BotoCoreError, ClientError):
                return
            acknowledged.append(body)

    publishers = [threading.Thread(target=keep_publishing) for _ in range(4)]
    for publisher in publishers:
        publisher.start()
    time.sleep(1.0)
    first.kill()  # mid-load: some publishes are cut off; none acknowledged may be lost
    stop.set()
    for publisher in publishers:
        publisher.join(30)
    assert len(acknowledged) > 50

    with ServerProcess(data, port=first.port).start() as second:
        sqs = sqs_client(second.url, "json")
        held = []
        for name in names:
            url = f"{second.url}/000000000000/{name}"
            bodies: Counter[str] = Counter()
            while batch := sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60
            ).get("Messages"):
                bodies.update(m["Body"] for m in batch)
            assert max(bodies.values()) == 1  # nothing twice
            assert set(acknowledged) <= set(bodies)  # nothing acknowledged lost
            held.append(set(bodies))
        assert held[0] == held[1] == held[2]  # a cut-off publish reached all queues or none
