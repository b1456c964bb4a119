"""Fair queues: MessageGroupId on a standard queue names a tenant, and a noisy tenant cannot starve the rest."""

from __future__ import annotations

from typing import Any

from botocore.client import BaseClient

from server.services.sqs.fairness import QUIET_WINDOW, noisy_tenants


def send_tenant(sqs: BaseClient, url: str, tenant: str | None, count: int) -> None:
    for start in range(0, count, 10):
        entries: list[dict[str, Any]] = [
            {"Id": str(i), "MessageBody": f"{tenant}:{start + i}"} for i in range(min(10, count - start))
        ]
        if tenant is not None:
            for entry in entries:
                entry["MessageGroupId"] = tenant
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def take(sqs: BaseClient, url: str, count: int) -> list[str]:
    """Receive `count` messages (kept in flight), oldest first as far as the queue is concerned."""
    bodies: list[str] = []
    while len(bodies) < count:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=min(10, count - len(bodies)), VisibilityTimeout=600
        ).get("Messages", [])
        assert messages
        bodies += [m["Body"] for m in messages]
    return bodies


def tenants(bodies: list[str]) -> list[str]:
    return [body.split(":")[0] for body in bodies]


def test_quiet_tenants_are_served_before_a_noisy_one(sqs: BaseClient, queue_url: str) -> None:
    send_tenant(sqs, queue_url, "A", 60)
    send_tenant(sqs, queue_url, "B", 5)
    send_tenant(sqs, queue_url, None, 2)
    assert set(tenants(take(sqs, queue_url, 30))) == {"A"}  # oldest first: A now has 30 in flight
    served = tenants(take(sqs, queue_url, 10))
    assert sorted(served) == ["A"] * 3 + ["B"] * 5 + ["None"] * 2
    # With no quiet messages left, the noisy tenant gets the whole receive.
    assert set(tenants(take(sqs, queue_url, 10))) == {"A"}


def test_a_tenant_is_not_noisy_below_30_in_flight(sqs: BaseClient, queue_url: str) -> None:
    send_tenant(sqs, queue_url, "A", 40)
    send_tenant(sqs, queue_url, "B", 5)
    take(sqs, queue_url, 29)
    assert tenants(take(sqs, queue_url, 1)) == ["A"]  # 29 in flight: still served oldest first
    assert tenants(take(sqs, queue_url, 1)) == ["B"]  # 30 in flight and 100 %: noisy now


def test_the_noisiest_tenant_waits_longest(sqs: BaseClient, queue_url: str) -> None:
    send_tenant(sqs, queue_url, "A", 40)
    take(sqs, queue_url, 40)  # A: 40 in flight
    send_tenant(sqs, queue_url, "B", 35)
    assert set(tenants(take(sqs, queue_url, 30))) == {"B"}  # B: 30 in flight; both noisy now
    send_tenant(sqs, queue_url, "A", 10)
    # Only noisy tenants wait: the one with fewer in flight (B, 30 against 40) goes first.
    assert tenants(take(sqs, queue_url, 5)) == ["B"] * 5
    assert tenants(take(sqs, queue_url, 5)) == ["A"] * 5


def test_standard_queue_without_groups_stays_oldest_first(sqs: BaseClient, queue_url: str) -> None:
    send_tenant(sqs, queue_url, None, 45)
    assert take(sqs, queue_url, 45) == [f"None:{i}" for i in range(45)]


def test_noisy_rule() -> None:
    assert noisy_tenants(100, {"a": 30, "b": 5}) == ["a"]
    assert noisy_tenants(100, {"a": 29}) == []
    assert noisy_tenants(330, {"a": 30, "b": 300}) == ["b"]  # 30 of 330 is under 10 %
    assert noisy_tenants(100, {"a": 60, "b": 40}) == ["b", "a"]


def test_quiet_tenant_behind_a_long_noisy_backlog(sqs: BaseClient, queue_url: str) -> None:
    send_tenant(sqs, queue_url, "A", 30 + QUIET_WINDOW + 50)  # more waiting than a receive reads in order
    send_tenant(sqs, queue_url, "B", 2)
    take(sqs, queue_url, 30)  # A is noisy now
    assert sorted(tenants(take(sqs, queue_url, 3))) == ["A", "B", "B"]
