"""Many consumers on one FIFO queue: no group ever has two messages in flight, and no group is reordered."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

from conformance.clients import sqs_client
from tests.harness import ServerProcess

GROUPS = 8
PER_GROUP = 40
CONSUMERS = 8


def test_concurrent_consumers_keep_groups_exclusive_and_ordered(
    server: ServerProcess, unique_name: Callable[[str], str]
) -> None:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(
        QueueName=unique_name("conc") + ".fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "600"},
    )["QueueUrl"]
    for i in range(PER_GROUP):
        entries = [
            {"Id": f"g{g}", "MessageBody": f"g{g}:{i}", "MessageGroupId": f"g{g}"} for g in range(GROUPS)
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)

    lock = threading.Lock()
    holding: dict[str, str] = {}  # group -> consumer that has its messages in flight
    seen: dict[str, list[int]] = defaultdict(list)
    violations: list[str] = []

    def consume(name: str) -> None:
        client = sqs_client(server.url, "json")
        empty = 0
        while empty < 5:
            messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=3).get("Messages", [])
            if not messages:
                empty += 1
                continue
            empty = 0
            with lock:
                for message in messages:
                    group, index = message["Body"].split(":")
                    if holding.get(group, name) != name:
                        violations.append(f"{group} in flight at {holding[group]} and {name}")
                    holding[group] = name
                    seen[group].append(int(index))
            with lock:
                for message in messages:
                    holding.pop(message["Body"].split(":")[0], None)
                # Release the lock only after the delete commits: the group unlocks on delete.
                client.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
                    ],
                )

    consumers = [threading.Thread(target=consume, args=(f"c{n}",)) for n in range(CONSUMERS)]
    for consumer in consumers:
        consumer.start()
    for consumer in consumers:
        consumer.join(120)
    assert violations == []
    assert {group: indexes for group, indexes in seen.items()} == {
        f"g{g}": list(range(PER_GROUP)) for g in range(GROUPS)
    }
