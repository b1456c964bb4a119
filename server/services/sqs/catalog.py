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

import orjson

from persistence import messages as message_rows
from persistence import queues as queue_rows
from persistence.engine import Database
from persistence.records import QueueRecord
from server.clock import Clock
from server.context import RequestContext
from server.errors import invalid_parameter_value
from server.services.sqs import attributes
from server.services.sqs.errors import queue_does_not_exist, sqs_error
from server.services.sqs.waiters import QueueWaiters

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
RECREATE_DELAY_MS = 60_000
Key = tuple[str, str, str]


def queue_arn(queue: QueueRecord) -> str:
    return f"arn:aws:sqs:{queue.region}:{queue.account}:{queue.name}"


def queue_url(base_url: str, queue: QueueRecord) -> str:
    return f"{base_url}/{queue.account}/{queue.name}"


def _key(queue: QueueRecord) -> Key:
    return (queue.account, queue.region, queue.name)


def check_queue_name(name: str) -> None:
    if name.endswith(".fifo"):
        raise sqs_error(
            "UnsupportedOperation", "FIFO queues are not supported by this Posthouse version yet."
        )
    if not _QUEUE_NAME.fullmatch(name):
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
        check_queue_name(name)
        checked = attributes.validate(requested)
        self._check_redrive_target(ctx.account, ctx.region, checked)
        self._check_recreate_delay((ctx.account, ctx.region, name))
        now_s = self._clock.now_ms() // 1000

        def create_or_match(conn: sqlite3.Connection) -> QueueRecord:
            existing = queue_rows.find(conn, ctx.account, ctx.region, name)
            if existing is None:
                return queue_rows.insert(
                    conn, ctx.account, ctx.region, name, attributes.initial(checked), tags, now_s
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
        self._waiters.wake(queue.id)
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
        checked = attributes.validate(requested)
        self._check_redrive_target(queue.account, queue.region, checked)
        now_s = self._clock.now_ms() // 1000
        retention = checked.get("MessageRetentionPeriod")
        await self.change(
            queue,
            lambda q: replace(q, attributes=attributes.apply(q.attributes, checked), modified_s=now_s),
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
            self._waiters.wake(queue.id)
        self._by_key.clear()

    def _check_redrive_target(self, account: str, region: str, checked: dict[str, str]) -> None:
        policy = checked.get("RedrivePolicy")
        if not policy:
            return
        # arn:aws:sqs:<region>:<account>:<name>, in the same account and region as the source queue
        parts = str(orjson.loads(policy)["deadLetterTargetArn"]).split(":")
        target: Key | None = (parts[4], parts[3], parts[5]) if len(parts) == 6 else None
        if target is None or target[:2] != (account, region) or target not in self._by_key:
            raise invalid_parameter_value(
                f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist."
            )
