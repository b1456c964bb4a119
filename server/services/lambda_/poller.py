"""An event-source mapping's poller: long-poll receives in process, a batch gathered until BatchSize, the
batching window or the 6 MB payload cap, filter patterns applied (a message no pattern matches is deleted,
as on AWS), the SQS event built as Lambda builds it, the function invoked synchronously, and then: success
deletes the batch; a function error deletes nothing (the messages reappear after the visibility timeout and
the queue's RedrivePolicy takes over); ReportBatchItemFailures deletes all but the reported ones.

A few poll loops run side by side (up to ScalingConfig.MaximumConcurrency, five at most here); FIFO queues
keep group order by themselves, since a group with a message in flight is not received from.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from typing import Any

import orjson

from persistence.records import FunctionRecord, MappingRecord, QueueRecord
from server import ids
from server.clock import Clock
from server.services.filter_policy import Facts, Policy
from server.services.lambda_ import mapping_rules
from server.services.lambda_.activity import Activity
from server.services.lambda_.invoker import Invoker
from server.services.sqs.consumer import Consumer

log = logging.getLogger("posthouse.lambda.poller")

LOOPS = 5
WAIT_S = 20
PAYLOAD_LIMIT = 6 * 1024 * 1024
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
        scaling = mapping.configuration.get("ScalingConfig") or {}
        loops = min(LOOPS, int(scaling.get("MaximumConcurrency", LOOPS)))
        function = self._function_of(mapping.function_arn)
        reserved = self._invoker.reserved(function) if function is not None else None
        if reserved is not None:  # no more loops than may run at once: none holds a batch it cannot hand over
            loops = min(loops, reserved)
        if loops == 0:
            return  # reserved concurrency 0: the mapping polls nothing until it is raised

        def still_mine() -> MappingRecord | None:
            found = self._current(uuid)
            enabled = found is not None and found.configuration.get("Enabled", True)
            return found if enabled and generation_now(uuid) == generation else None

        # Compiled once per generation: any change to the mapping starts a new one.
        patterns = mapping_rules.patterns(mapping.configuration)
        await asyncio.gather(*(self._loop(still_mine, patterns) for _ in range(loops)))

    async def _rest(self) -> None:
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._clock.wait(never, self._clock.now_ms() + IDLE_MS)

    async def _loop(self, still_mine: Callable[[], MappingRecord | None], patterns: list[Policy]) -> None:
        while (mapping := still_mine()) is not None:
            queue = self._consumer.queue(mapping.source_arn)
            if queue is None:
                await self._rest()
                continue
            activity = self._activity.of_mapping(mapping.uuid)
            activity.counts["polls"] += 1
            batch = await self._gather(mapping, queue)
            if batch:
                activity.counts["batches"] += 1
                activity.counts["records"] += len(batch)
                sent = min(int(m.get("Attributes", {}).get("SentTimestamp", 0)) for m in batch)
                activity.oldest_age_ms = max(0, self._clock.now_ms() - sent) if sent else None
                activity.started()
                started_ms = self._clock.now_ms()
                try:
                    await self._process(mapping, queue, batch, patterns)
                finally:
                    activity.finished(self._clock.now_ms() - started_ms)

    async def _gather(self, mapping: MappingRecord, queue: QueueRecord) -> list[dict[str, Any]]:
        configuration = mapping.configuration
        batch_size = int(configuration["BatchSize"])
        window_ms = int(configuration["MaximumBatchingWindowInSeconds"]) * 1000
        messages = await self._consumer.receive(queue, min(10, batch_size), WAIT_S)
        if not messages or window_ms == 0:
            return messages
        deadline = self._clock.now_ms() + window_ms
        size = sum(len(m["Body"]) for m in messages)
        while len(messages) < batch_size and size < PAYLOAD_LIMIT:
            left_ms = deadline - self._clock.now_ms()
            if left_ms <= 0:
                break
            more = await self._consumer.receive(
                queue, min(10, batch_size - len(messages)), min(WAIT_S, -(-left_ms // 1000))
            )
            messages += more
            size += sum(len(m["Body"]) for m in more)
        return messages

    async def _process(
        self,
        mapping: MappingRecord,
        queue: QueueRecord,
        messages: list[dict[str, Any]],
        patterns: list[Policy],
    ) -> None:
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
            return
        function = self._function_of(mapping.function_arn)
        if function is None:  # deleted since: the messages come back after their visibility timeout
            await self._rest()
            return
        if self._invoker.at_limit(function):
            activity.counts["throttles"] += 1  # it waits for a slot
        event = orjson.dumps({"Records": wanted})
        outcome = await self._invoker.invoke(function, event, ids.uuid4(), wait=True, source=mapping.uuid)
        activity.counts["invocations"] += 1
        if outcome.error is not None:
            activity.counts["errors"] += 1
            log.info(
                "mapping %s: %s failed: %s", mapping.uuid, function.name, outcome.error.get("errorMessage")
            )
            return
        keep: set[str] | None = set()
        if "ReportBatchItemFailures" in mapping.configuration.get("FunctionResponseTypes", []):
            keep = failed_items(outcome.result, wanted)
        if keep is None:
            return
        await self._consumer.delete(queue, [r["receiptHandle"] for r in wanted if r["messageId"] not in keep])
