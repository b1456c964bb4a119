"""An event-source mapping's poller: long-poll receives in process, a batch gathered until BatchSize, the
batching window or the 6 MB payload cap, filter patterns applied (a message no pattern matches is deleted,
as on AWS), the SQS event built as Lambda builds it, the function invoked synchronously, and then: success
deletes the batch; a function error deletes nothing (the messages reappear after the visibility timeout and
the queue's RedrivePolicy takes over); ReportBatchItemFailures deletes all but the reported ones.

Five poll loops start side by side, as on AWS. While batches come back full and the function succeeds, the
mapping scales up, one loop at a time, at most five loops a second (AWS adds up to 300 concurrent invokes a
minute), to ScalingConfig.MaximumConcurrency, or MAX_LOOPS here without one; an added loop ends at its first
empty poll or function error, so the mapping scales back down when the backlog is gone or the function fails.
The function's reserved concurrency caps all of them too. FIFO queues keep group order by themselves, since a group
with a message in flight is not received from.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import orjson

from persistence.records import FunctionRecord, MappingRecord, QueueRecord
from server import ids
from server.clock import Clock
from server.services.filter_policy import Facts, Policy
from server.services.lambda_ import mapping_rules
from server.services.lambda_.activity import Activity
from server.services.lambda_.invoker import Invoker, Throttled
from server.services.sqs.consumer import Consumer

log = logging.getLogger("posthouse.lambda.poller")

LOOPS = 5
MAX_LOOPS = 20
"""Loops of a mapping without ScalingConfig.MaximumConcurrency. AWS scales such a mapping to 1,000 concurrent
batches; each loop here may hold a worker process on this machine, so more are had by asking for them."""
GROWTH_MS = 200
"""At most one loop added per this many milliseconds: 300 a minute."""
WAIT_S = 20
PAYLOAD_LIMIT = 6 * 1024 * 1024
CLAIM_MAX = 100
"""Most messages one in-process receive takes while a batch is gathered."""
IDLE_MS = 1000
"""How long a loop rests when it cannot poll (its queue or function is gone)."""


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    if "StringValue" in value:
        shown["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        binary = value["BinaryValue"]
        shown["binaryValue"] = base64.b64encode(binary).decode() if isinstance(binary, bytes) else binary
    return shown | {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}


def record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One message as Lambda's SQS event holds it (camelCase keys, in AWS's order)."""
    attributes = message.get("MessageAttributes") or {}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {name: _attribute(value) for name, value in attributes.items()},
        "md5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _matches(patterns: list[Policy], event_record: dict[str, Any]) -> bool:
    if not patterns:
        return True
    try:
        body: Any = orjson.loads(event_record["body"])
    except orjson.JSONDecodeError:
        body = event_record["body"]  # a plain string: only conditions on `body` itself can match
    facts = Facts.of_document(
        {
            "body": body,
            "attributes": event_record["attributes"],
            "messageAttributes": event_record["messageAttributes"],
        }
    )
    return any(pattern.matches(facts) for pattern in patterns)


def failed_items(result: bytes | None, batch: list[dict[str, Any]]) -> set[str] | None:
    """ReportBatchItemFailures: the message ids to keep, or None when the whole batch failed (a reply that
    is not AWS's shape, or names a message not in the batch)."""
    try:
        reply = orjson.loads(result or b"null")
    except orjson.JSONDecodeError:
        return None
    if reply is None or reply == {}:  # a null or empty response: the whole batch succeeded
        return set()
    if not isinstance(reply, dict) or "batchItemFailures" not in reply:
        return None
    failures = reply["batchItemFailures"] or []  # null or [] succeed too
    if not isinstance(failures, list):
        return None
    ids_in_batch = {r["messageId"] for r in batch}
    kept = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in ids_in_batch:
            return None
        kept.add(item)
    return kept


class _Scaler:
    """A mapping's added loops: one more while batches come back full, at most one per GROWTH_MS, up to the cap."""

    def __init__(self, clock: Clock, cap: int, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._clock = clock
        self._cap = cap
        self._loop = loop
        self._next_ms = 0
        self._added: set[asyncio.Task[None]] = set()
        self.running = 0

    def grow(self) -> None:
        now_ms = self._clock.now_ms()
        if self.running >= self._cap or now_ms < self._next_ms:
            return
        self._next_ms = now_ms + GROWTH_MS
        task = asyncio.create_task(self._loop())
        self._added.add(task)
        task.add_done_callback(self._added.discard)

    def cancel(self) -> None:
        for task in self._added:
            task.cancel()

    async def stopped(self) -> None:
        """Once the mapping's own loops ended: the added ones end too (they poll the same generation)."""
        while self._added:
            await asyncio.gather(*self._added)


class Poller:
    def __init__(
        self,
        clock: Clock,
        consumer: Consumer,
        invoker: Invoker,
        activity: Activity,
        current: Callable[[str], MappingRecord | None],
        function_of: Callable[[str], FunctionRecord | None],
    ) -> None:
        self._clock = clock
        self._consumer = consumer
        self._invoker = invoker
        self._activity = activity
        self._current = current
        self._function_of = function_of

    async def run(self, uuid: str, generation: int, generation_now: Callable[[str], int]) -> None:
        """The mapping's worker: until it is disabled, deleted or restarted (a new generation)."""
        mapping = self._current(uuid)
        if mapping is None:
            return
        scaling = mapping.configuration.get("ScalingConfig")
        if not isinstance(scaling, dict):  # none, or a value stored before it was checked
            scaling = {}
        # A MaximumConcurrency the user set is honoured in full (up to AWS's 1,000); without one, MAX_LOOPS.
        cap = int(scaling.get("MaximumConcurrency", MAX_LOOPS))
        function = self._function_of(mapping.function_arn)
        reserved = self._invoker.reserved(function) if function is not None else None
        if reserved is not None:  # no more loops than may run at once: none holds a batch it cannot hand over
            cap = min(cap, reserved)
        if cap == 0:
            return  # reserved concurrency 0: the mapping polls nothing until it is raised

        def still_mine() -> MappingRecord | None:
            found = self._current(uuid)
            enabled = found is not None and found.configuration.get("Enabled", True)
            return found if enabled and generation_now(uuid) == generation else None

        # Compiled once per generation: any change to the mapping starts a new one.
        patterns = mapping_rules.patterns(mapping.configuration)
        scaler = _Scaler(self._clock, cap, lambda: self._loop(still_mine, patterns, scaler, added=True))
        try:
            await asyncio.gather(*(self._loop(still_mine, patterns, scaler) for _ in range(min(LOOPS, cap))))
            await scaler.stopped()
        finally:
            scaler.cancel()  # stopped from outside (shutdown): the added loops stop with the poller

    async def _rest(self) -> None:
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._clock.wait(never, self._clock.now_ms() + IDLE_MS)

    async def _loop(
        self,
        still_mine: Callable[[], MappingRecord | None],
        patterns: list[Policy],
        scaler: _Scaler,
        added: bool = False,
    ) -> None:
        scaler.running += 1
        try:
            await self._poll(still_mine, patterns, scaler, added)
        finally:
            scaler.running -= 1

    async def _poll(
        self,
        still_mine: Callable[[], MappingRecord | None],
        patterns: list[Policy],
        scaler: _Scaler,
        added: bool,
    ) -> None:
        while (mapping := still_mine()) is not None:
            queue = self._consumer.queue(mapping.source_arn)
            if queue is None:
                await self._rest()
                continue
            activity = self._activity.of_mapping(mapping.uuid)
            activity.counts["polls"] += 1
            batch, claimed_ms = await self._gather(mapping, queue)
            if not batch:
                if added:
                    return  # the backlog is gone: scale down
                continue
            if still_mine() is None:
                # Changed, disabled or deleted while the batch was gathered: nothing is judged by settings
                # that are no longer the mapping's. The messages go back at once for the new settings.
                await self._consumer.release(queue, [m["ReceiptHandle"] for m in batch])
                return
            activity.counts["batches"] += 1
            activity.counts["records"] += len(batch)
            sent = min(int(m.get("Attributes", {}).get("SentTimestamp", 0)) for m in batch)
            activity.oldest_age_ms = max(0, self._clock.now_ms() - sent) if sent else None
            activity.started()
            started_ms = self._clock.now_ms()
            # The function must be done before the batch's messages become visible again.
            visibility_ms = int(queue.attributes["VisibilityTimeout"]) * 1000
            function_ms = self._function_timeout_ms(mapping)
            try:
                succeeded = await self._process(
                    mapping, queue, batch, patterns, claimed_ms + visibility_ms - function_ms
                )
            finally:
                activity.finished(self._clock.now_ms() - started_ms)
            if not succeeded and added:
                return  # back off: the function fails
            if succeeded and len(batch) >= int(mapping.configuration["BatchSize"]):
                scaler.grow()  # a full batch: messages remain

    def _function_timeout_ms(self, mapping: MappingRecord) -> int:
        function = self._function_of(mapping.function_arn)
        return int(float(function.configuration.get("Timeout", 3)) * 1000) if function else 0

    async def _gather(self, mapping: MappingRecord, queue: QueueRecord) -> tuple[list[dict[str, Any]], int]:
        """A batch, and when its first messages were received (their visibility timeout runs from then)."""
        configuration = mapping.configuration
        batch_size = int(configuration["BatchSize"])
        window_ms = int(configuration["MaximumBatchingWindowInSeconds"]) * 1000
        messages = await self._consumer.receive(queue, min(10, batch_size), WAIT_S)
        claimed_ms = self._clock.now_ms()
        if not messages or window_ms == 0:
            return messages, claimed_ms
        deadline = self._clock.now_ms() + window_ms
        sizes = [len(m["Body"]) for m in messages]
        while len(messages) < batch_size and sum(sizes) < PAYLOAD_LIMIT:
            left_ms = deadline - self._clock.now_ms()
            if left_ms <= 0:
                break
            # In process a claim may take more than ReceiveMessage's 10 (one transaction instead of ten: a
            # batch of 100 drains a third faster), but only as many as the payload cap leaves room for at the
            # largest body seen so far.
            room = (PAYLOAD_LIMIT - sum(sizes)) // max(1, *sizes)
            wanted = max(1, min(CLAIM_MAX, batch_size - len(messages), room))
            more = await self._consumer.receive(queue, wanted, min(WAIT_S, -(-left_ms // 1000)))
            messages += more
            sizes += [len(m["Body"]) for m in more]
        return messages, claimed_ms

    async def _process(
        self,
        mapping: MappingRecord,
        queue: QueueRecord,
        messages: list[dict[str, Any]],
        patterns: list[Policy],
        invoke_by_ms: int,
    ) -> bool:
        """Whether the batch was handled without a function error. A batch that cannot have a slot of the
        function's concurrency by `invoke_by_ms` is given back instead of being run late."""
        wanted: list[dict[str, Any]] = []
        unwanted: list[str] = []
        for message in messages:
            event_record = record(message, mapping.source_arn, queue.region)
            if _matches(patterns, event_record):
                wanted.append(event_record)
            else:
                unwanted.append(event_record["receiptHandle"])
        await self._consumer.delete(queue, unwanted)  # AWS deletes what no filter matches
        activity = self._activity.of_mapping(mapping.uuid)
        activity.counts["filtered"] += len(unwanted)
        if not wanted:
            return True
        function = self._function_of(mapping.function_arn)
        if function is None:  # deleted since: the messages come back after their visibility timeout
            await self._rest()
            return False
        if self._invoker.at_limit(function):
            activity.counts["throttles"] += 1  # it waits for a slot
        event = orjson.dumps({"Records": wanted})
        try:
            outcome = await self._invoker.invoke(
                function, event, ids.uuid4(), wait=True, source=mapping.uuid, wait_until_ms=invoke_by_ms
            )
        except Throttled:
            await self._consumer.release(queue, [r["receiptHandle"] for r in wanted])
            await self._invoker.until_free(function)  # poll again only once it could run
            return False
        activity.counts["invocations"] += 1
        if outcome.error is not None:
            activity.counts["errors"] += 1
            log.info(
                "mapping %s: %s failed: %s", mapping.uuid, function.name, outcome.error.get("errorMessage")
            )
            return False
        keep: set[str] | None = set()
        if "ReportBatchItemFailures" in mapping.configuration.get("FunctionResponseTypes", []):
            keep = failed_items(outcome.result, wanted)
        if keep is None:
            return False
        await self._consumer.delete(queue, [r["receiptHandle"] for r in wanted if r["messageId"] not in keep])
        return True
