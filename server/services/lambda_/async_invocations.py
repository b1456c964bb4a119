"""Event invocations, as Lambda runs them: queued durably at the 202, run by a supervised worker, retried
after a function error (one minute before the second attempt, two before the third; the function's
EventInvokeConfig can allow fewer retries and a shorter event age), and when retries or age run out, handed
to the function's OnFailure destination (AWS's invocation record) and its DeadLetterConfig target (the event,
with RequestID, ErrorCode and ErrorMessage attributes). OnSuccess destinations get the record of a success.
An SQS queue or a function (an Event invocation of it) as target is written in the transaction that drops the
event; an SNS topic is published to just before it (at least once: a crash in between runs the event again)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson

from persistence import async_events
from persistence.async_events import AsyncEvent
from persistence.engine import Database, DatabaseClosed, DatabaseUnavailable
from persistence.records import FunctionRecord, NewMessage, QueueRecord
from server import ids
from server.clock import Clock
from server.services.due_work import DueWork
from server.services.lambda_.event_invocations import EventInvocations
from server.services.lambda_.functions import Functions
from server.services.lambda_.invoker import Invoker, Throttled
from server.services.lambda_.versions import qualifier_of
from server.services.lambda_.workers import Outcome
from server.services.message_attributes import Attributes
from server.services.sqs.enqueue import Enqueue, Enqueued, Message
from server.services.timestamps import iso_millis
from server.services.topic_publishing import TopicPublishing

log = logging.getLogger("posthouse.lambda.events")

AT_ONCE = 32
SHARE = AT_ONCE // 2
"""Event invocations of one function running at once: a backlog of slow ones leaves room for others'."""
FIRST_THROTTLE_DELAY_MS = 1_000
MAX_THROTTLE_DELAY_MS = 60_000
RETRY_DELAYS_S = (60, 120)
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE_S = 21_600


QUALIFIED_CONFIGS = "QualifiedEventInvokeConfigs"
"""In `$LATEST`'s configuration: version or alias -> its EventInvokeConfig (`$LATEST`'s own is EventInvokeConfig)."""


def invoke_config(latest: FunctionRecord, qualifier: str | None = None) -> dict[str, Any]:
    """The EventInvokeConfig of the function's `$LATEST` (no qualifier) or of one version or alias; {} if none."""
    if qualifier in (None, "$LATEST"):
        config: dict[str, Any] = latest.configuration.get("EventInvokeConfig") or {}
        return config
    qualified: dict[str, dict[str, Any]] = latest.configuration.get(QUALIFIED_CONFIGS) or {}
    return qualified.get(str(qualifier), {})


def _result_value(result: bytes) -> Any:
    """A function's result as a destination record holds it: JSON as AWS's runtime writes it (which allows
    `NaN` and `Infinity`, written as null here), or the text itself when it is not JSON."""
    try:
        return orjson.loads(result)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(result)
    except ValueError:
        return result.decode(errors="replace")


class AsyncInvocations:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        functions: Functions,
        invoker: Invoker,
        enqueue: Enqueue,
        publisher: Callable[[], TopicPublishing | None],
    ) -> None:
        self._db = db
        self._clock = clock
        self._functions = functions
        self._invoker = invoker
        self._enqueue = enqueue
        self._publisher = publisher
        self._taken: Counter[str] = Counter()
        """Function ARN -> its events in hand (taken, not finished)."""
        self.work: DueWork[AsyncEvent] = DueWork(clock, self._due, self._next_due, self._attempt, AT_ONCE)
        self.events = EventInvocations(functions, self.work.wake)
        """What other services (and destinations here) use to queue an Event invocation of a function."""

    async def queue(self, function: FunctionRecord, payload: bytes, request_id: str) -> None:
        """Kept before the 202 is answered."""
        now_ms = self._clock.now_ms()
        await self._db.run(lambda conn: async_events.insert(conn, function.arn, request_id, payload, now_ms))
        self.work.wake()

    async def _due(self, now_ms: int, limit: int, skip: set[int]) -> list[AsyncEvent]:
        room = {arn: SHARE - taken for arn, taken in self._taken.items()}
        events = await self._db.read(lambda conn: async_events.due(conn, now_ms, limit, skip, room, SHARE))
        self._taken.update(event.function_arn for event in events)
        return events

    async def _next_due(self, skip: set[int]) -> int | None:
        full = {arn for arn, taken in self._taken.items() if taken >= SHARE}  # woken when one of theirs ends
        return await self._db.read(lambda conn: async_events.next_due_ms(conn, skip, full))

    async def _attempt(self, event: AsyncEvent) -> None:
        try:
            await self._attempt_taken(event)
        finally:
            self._taken[event.function_arn] -= 1
            if self._taken[event.function_arn] <= 0:
                del self._taken[event.function_arn]

    async def _attempt_taken(self, event: AsyncEvent) -> None:
        function = self._functions.get(event.function_arn)
        if function is None:  # deleted since: nothing left to run it
            await self._db.run(lambda conn: async_events.delete(conn, event.id))
            return
        config = invoke_config(self._functions.latest_of(function), qualifier_of(function.arn))
        max_age_ms = int(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S)) * 1000
        if self._clock.now_ms() - event.created_ms > max_age_ms:
            await self._finish(event, function, None, "EventAgeExceeded")
            return
        retries = int(config.get("MaximumRetryAttempts", DEFAULT_RETRIES))
        if event.attempts > retries:  # every run it may have was started; what followed the last one failed
            await self._finish_or_drop(event, function, None, "RetriesExhausted")
            return
        if self._invoker.at_limit(function):
            await self._throttled(event)
            return
        attempts = event.attempts + 1
        # Counted before it runs: whatever fails after, a crash included, it runs at most 1 + retries times.
        # (Still due: after a crash it is taken up again at the next start.)
        now_ms = self._clock.now_ms()
        await self._db.run(lambda conn: async_events.reschedule(conn, event.id, attempts, now_ms))
        try:
            outcome = await self._invoker.invoke(function, event.payload, event.request_id, source="Event")
        except Throttled:  # its last slot was taken meanwhile: not a run
            await self._throttled(event)
            return
        event = event._replace(attempts=attempts)
        if outcome.error is None:
            await self._finish_or_drop(event, function, outcome, "Success")
        elif attempts <= retries:
            due_ms = self._clock.now_ms() + self._retry_delay_ms(attempts)
            await self._db.run(lambda conn: async_events.reschedule(conn, event.id, attempts, due_ms))
        else:
            await self._finish_or_drop(event, function, outcome, "RetriesExhausted")

    async def _throttled(self, event: AsyncEvent) -> None:
        """At its reserved concurrency: tried again later, as AWS retries throttled events (for up to the
        event's maximum age), without holding a slot others could use, and without counting a run."""
        now_ms = self._clock.now_ms()
        later_ms = now_ms + min(
            MAX_THROTTLE_DELAY_MS, max(FIRST_THROTTLE_DELAY_MS, (now_ms - event.created_ms) // 4)
        )
        await self._db.run(lambda conn: async_events.reschedule(conn, event.id, event.attempts, later_ms))

    @staticmethod
    def _retry_delay_ms(attempts: int) -> int:
        return RETRY_DELAYS_S[min(attempts, len(RETRY_DELAYS_S)) - 1] * 1000

    async def _finish_or_drop(
        self, event: AsyncEvent, function: FunctionRecord, outcome: Outcome | None, condition: str
    ) -> None:
        """Finish; an event whose destinations cannot be written is dropped with a log line, never run again."""
        try:
            await self._finish(event, function, outcome, condition)
        except (DatabaseUnavailable, DatabaseClosed):
            raise  # the storage's trouble: the event stays, due again after its backoff
        except Exception:
            log.exception(
                "event %s of %s: its destinations could not be written; dropped",
                event.request_id,
                function.arn,
            )
            await self._db.run(lambda conn: async_events.delete(conn, event.id))

    def _record(
        self, event: AsyncEvent, function: FunctionRecord, outcome: Outcome | None, condition: str
    ) -> str:
        """AWS's invocation record, as a destination gets it."""
        version = str(function.configuration.get("Version", "$LATEST"))
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": version}
        payload: Any = None
        if outcome is not None:
            if outcome.error is not None:
                response["functionError"] = "Unhandled"
                payload = outcome.error
            elif outcome.result is not None:
                payload = _result_value(outcome.result)
        record = {
            "version": "1.0",
            "timestamp": iso_millis(self._clock.now_ms()),
            "requestContext": {
                "requestId": event.request_id,
                "functionArn": function.arn if qualifier_of(function.arn) else f"{function.arn}:$LATEST",
                "condition": condition,
                "approximateInvokeCount": max(1, event.attempts),
            },
            "requestPayload": orjson.loads(event.payload),
            "responseContext": response,
            "responsePayload": payload,
        }
        return orjson.dumps(record).decode()

    async def _finish(
        self, event: AsyncEvent, function: FunctionRecord, outcome: Outcome | None, condition: str
    ) -> None:
        """Drop the event; its destination (and, on failure, its dead-letter queue) get theirs, together."""
        latest = self._functions.latest_of(function)
        destinations = invoke_config(latest, qualifier_of(function.arn)).get("DestinationConfig") or {}
        key = "OnSuccess" if condition == "Success" else "OnFailure"
        sends: list[tuple[str, Message]] = []
        destination = (destinations.get(key) or {}).get("Destination")
        if destination:
            sends.append(
                (destination, Message(self._record(event, function, outcome, condition), function.arn))
            )
        dead_letter_config = function.configuration.get("DeadLetterConfig")  # stored before it was checked:
        dead_letter = dead_letter_config.get("TargetArn") if isinstance(dead_letter_config, dict) else None
        if condition != "Success" and dead_letter:
            error = (outcome.error if outcome is not None else None) or {}
            attributes: Attributes = {
                "RequestID": {"DataType": "String", "StringValue": event.request_id},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {
                    "DataType": "String",
                    "StringValue": str(error.get("errorMessage", condition))[:1000],
                },
            }
            sends.append((dead_letter, Message(event.payload.decode(), function.arn, attributes)))
        now_ms = self._clock.now_ms()
        rows: list[tuple[QueueRecord, NewMessage]] = []
        invocations: list[tuple[str, bytes]] = []
        for arn, message in sends:
            queue = self._enqueue.queue(arn) if arn.startswith("arn:aws:sqs:") else None
            target_function = self.events.function_arn(arn) if arn.startswith("arn:aws:lambda:") else None
            if queue is not None:
                rows.append((queue, self._enqueue.row(queue, message, now_ms)))
            elif target_function is not None:
                invocations.append((target_function, message.body.encode()))
            elif arn.startswith("arn:aws:sns:") and (publisher := self._publisher()) is not None:
                await publisher.publish(arn, message.body, message.attributes or {}, event.request_id)

        def op(conn: sqlite3.Connection) -> list[Enqueued]:
            async_events.delete(conn, event.id)
            for arn, payload in invocations:
                self.events.put(conn, arn, ids.uuid4(), payload, now_ms)
            return [Enqueue.put(conn, queue, [row], now_ms) for queue, row in rows]

        self._enqueue.committed(await self._db.run(op))
        if invocations:
            self.events.committed()

    async def reset(self) -> None:
        await self._db.run(async_events.delete_all)
