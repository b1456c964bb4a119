"""The queue catalog: create, find, change and delete queues.

The database is the source of truth; the catalog keeps a copy of every queue row in memory, replaced only
after the transaction that changed it has committed, so finding a queue on the hot path costs a dict lookup.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import orjson

from persistence import messages as message_rows
from persistence import queues as queue_rows
from persistence.engine import Database
from persistence.records import QueueRecord
from server.clock import Clock
from server.context import RequestContext
from server.errors import AwsError, invalid_parameter_value
from server.services.sqs import attributes
from server.services.sqs.errors import queue_does_not_exist, sqs_error
from server.services.sqs.waiters import QueueWaiters

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
RECREATE_DELAY_MS = 60_000
Key = tuple[str, str, str]


def queue_arn(queue: QueueRecord) -> str:
    return f"arn:aws:sqs:{queue.region}:{queue.account}:{queue.name}"


def redrive_policy(queue: QueueRecord) -> dict[str, Any]:
    """The queue's RedrivePolicy as stored (validated, maxReceiveCount an int), or {}."""
    text = queue.attributes.get("RedrivePolicy")
    return orjson.loads(text) if text else {}


def _key(queue: QueueRecord) -> Key:
    return (queue.account, queue.region, queue.name)


def check_queue_name(name: str, fifo: bool) -> None:
    if fifo and not _FIFO_QUEUE_NAME.fullmatch(name):
        raise invalid_parameter_value(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must"
            " end with .fifo suffix and be 1 to 80 in length."
        )
    if not fifo and not _QUEUE_NAME.fullmatch(name):
        raise invalid_parameter_value(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


class QueueCatalog:
    def __init__(
        self, db: Database, clock: Clock, waiters: QueueWaiters, *, enforce_recreate_delay: bool
    ) -> None:
        self._db = db
        self._clock = clock
        self._waiters = waiters
        self._by_key: dict[Key, QueueRecord] = {}
        self._enforce_recreate_delay = enforce_recreate_delay
        self._deleted_ms: dict[Key, int] = {}
        """When recently deleted queues went, while their names may not be reused."""

    async def load(self) -> None:
        self._by_key = {_key(queue): queue for queue in await self._db.run(queue_rows.load_all)}

    def _remember(self, queue: QueueRecord) -> QueueRecord:
        self._by_key[_key(queue)] = queue
        return queue

    def find(self, account: str, region: str, name: str) -> QueueRecord:
        queue = self._by_key.get((account, region, name))
        if queue is None:
            raise queue_does_not_exist()
        return queue

    def refresh(self, queue: QueueRecord) -> QueueRecord:
        """The current version of a queue found earlier (it may have changed or gone since)."""
        return self.find(queue.account, queue.region, queue.name)

    def all(self) -> list[QueueRecord]:
        return sorted(self._by_key.values(), key=lambda q: (q.account, q.region, q.name))

    def names(self, account: str, region: str, prefix: str) -> list[QueueRecord]:
        return [
            queue
            for queue in self.all()
            if queue.account == account and queue.region == region and queue.name.startswith(prefix)
        ]

    async def create(
        self, ctx: RequestContext, name: str, requested: dict[str, str], tags: dict[str, str]
    ) -> QueueRecord:
        fifo = requested.get("FifoQueue", "").lower() == "true"
        check_queue_name(name, fifo)
        checked = attributes.validate(requested, fifo=fifo)
        source_arn = f"arn:aws:sqs:{ctx.region}:{ctx.account}:{name}"
        self._check_redrive_target(ctx.account, ctx.region, source_arn, fifo, checked, requested)
        self._check_recreate_delay((ctx.account, ctx.region, name))
        now_s = self._clock.now_ms() // 1000

        def create_or_match(conn: sqlite3.Connection) -> QueueRecord:
            existing = queue_rows.find(conn, ctx.account, ctx.region, name)
            if existing is None:
                return queue_rows.insert(
                    conn, ctx.account, ctx.region, name, attributes.initial(checked, fifo=fifo), tags, now_s
                )
            different = attributes.first_difference(existing.attributes, checked)
            if different is not None:
                raise sqs_error(
                    "QueueNameExists",
                    f"A queue already exists with the same name and a different value for attribute {different}",
                )
            return existing

        return self._remember(await self._db.run(create_or_match))

    async def delete(self, queue: QueueRecord) -> None:
        await self._db.run(lambda conn: queue_rows.delete(conn, queue.id))
        self._by_key.pop(_key(queue), None)
        self._waiters.wake_all(queue.id)
        if self._enforce_recreate_delay:
            now_ms = self._clock.now_ms()
            self._deleted_ms = {k: t for k, t in self._deleted_ms.items() if now_ms - t < RECREATE_DELAY_MS}
            self._deleted_ms[_key(queue)] = now_ms

    def _check_recreate_delay(self, key: Key) -> None:
        deleted_ms = self._deleted_ms.get(key)
        if deleted_ms is not None and self._clock.now_ms() - deleted_ms < RECREATE_DELAY_MS:
            raise sqs_error(
                "QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
            )

    async def set_attributes(self, queue: QueueRecord, requested: dict[str, str]) -> None:
        checked = attributes.validate(requested, fifo=queue.fifo)
        self._check_redrive_target(
            queue.account, queue.region, queue_arn(queue), queue.fifo, checked, requested
        )
        now_s = self._clock.now_ms() // 1000
        retention = checked.get("MessageRetentionPeriod")

        def set_attributes(current: QueueRecord) -> QueueRecord:
            changed = attributes.apply(current.attributes, checked)
            attributes.check_combination(changed)
            return replace(current, attributes=changed, modified_s=now_s)

        await self.change(
            queue,
            set_attributes,
            # A new retention period applies to the messages already in the queue too.
            also=None
            if retention is None
            else partial(message_rows.retain, retention_ms=int(retention) * 1000),
        )

    async def change(
        self,
        queue: QueueRecord,
        change: Callable[[QueueRecord], QueueRecord],
        also: Callable[[sqlite3.Connection, int], object] | None = None,
    ) -> QueueRecord:
        """Store `change` applied to the queue's current version (and run `also` on the queue's id in the
        same transaction); return the stored version."""

        def read_change_write(conn: sqlite3.Connection) -> QueueRecord:
            current = queue_rows.find(conn, queue.account, queue.region, queue.name)
            if current is None or current.id != queue.id:
                raise queue_does_not_exist()
            changed = change(current)
            queue_rows.update(conn, changed)
            if also is not None:
                also(conn, queue.id)
            return changed

        return self._remember(await self._db.run(read_change_write))

    async def reset(self) -> None:
        await self._db.run(queue_rows.delete_all)
        for queue in self._by_key.values():
            self._waiters.wake_all(queue.id)
        self._by_key.clear()

    def by_arn(self, arn: str) -> QueueRecord | None:
        """arn:aws:sqs:<region>:<account>:<name>"""
        parts = arn.split(":")
        if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"]:
            return None
        return self._by_key.get((parts[4], parts[3], parts[5]))

    def dead_letter_sources(self, dead_letter_queue: QueueRecord) -> list[QueueRecord]:
        """The queues whose RedrivePolicy names this queue, in name order."""
        arn = queue_arn(dead_letter_queue)
        return [queue for queue in self.all() if redrive_policy(queue).get("deadLetterTargetArn") == arn]

    def _check_redrive_target(
        self,
        account: str,
        region: str,
        source_arn: str,
        source_fifo: bool,
        checked: dict[str, str],
        requested: dict[str, str],
    ) -> None:
        policy = checked.get("RedrivePolicy")
        if not policy:
            return

        def invalid(reason: str) -> AwsError:  # AWS quotes the policy as it was sent
            return invalid_parameter_value(
                f"Value {requested['RedrivePolicy']} for parameter RedrivePolicy is invalid. Reason: {reason}"
            )

        target = self.by_arn(str(orjson.loads(policy)["deadLetterTargetArn"]))
        if target is None or (target.account, target.region) != (account, region):
            raise invalid("Dead letter target does not exist.")
        if target.fifo != source_fifo:
            raise invalid("Dead-letter queue must be same type of queue as the source.")
        allowed = target.attributes.get("RedriveAllowPolicy")
        if allowed:
            rule = orjson.loads(allowed)
            permission = rule["redrivePermission"]
            if permission == "denyAll" or (
                permission == "byQueue" and source_arn not in rule.get("sourceQueueArns", [])
            ):
                raise invalid(
                    f"Queue {queue_arn(target)} does not allow this queue as a dead-letter source (RedriveAllowPolicy)."
                )
