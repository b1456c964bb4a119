"""SendMessage and SendMessageBatch entries: validated, sized, digested and made into rows to store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from persistence.records import NewMessage, QueueRecord
from server.context import RequestContext
from server.errors import AwsError, invalid_parameter_value
from server.services.md5 import md5_of_attributes
from server.services.message_attributes import size_of
from server.services.params import Params
from server.services.sqs import message_rules
from server.services.sqs.enqueue import Enqueue, Message
from server.services.sqs.errors import invalid_value


@dataclass(slots=True)  # built per request: plain slots are cheaper to build than frozen
class Outgoing:
    row: NewMessage
    size: int
    reply: dict[str, Any]
    """MessageId and the digests, as SendMessage answers them."""


def _delay(queue: QueueRecord, entry: Params) -> int:
    delay = entry.integer("DelaySeconds")
    if delay is None or (queue.fifo and delay == 0):  # FIFO: only the queue's delay applies
        return int(queue.attributes["DelaySeconds"])
    if queue.fifo:
        raise invalid_value(
            "DelaySeconds", delay, "The request include parameter that is not valid for this queue type."
        )
    if not 0 <= delay <= 900:
        raise invalid_value("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900.")
    return delay


def check_fifo_required(queue: QueueRecord, entry: Params, missing: Callable[[str], AwsError]) -> None:
    """A FIFO message needs a group id, and a deduplication id unless the queue derives it from the body."""
    if not queue.fifo:
        return
    if entry.text("MessageGroupId") is None:
        raise missing("MessageGroupId")
    if (
        entry.text("MessageDeduplicationId") is None
        and queue.attributes["ContentBasedDeduplication"] != "true"
    ):
        raise invalid_parameter_value(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided"
            " explicitly"
        )


def _group_and_dedup_ids(queue: QueueRecord, entry: Params) -> tuple[str | None, str | None]:
    dedup_id = entry.text("MessageDeduplicationId")
    group_id = entry.text("MessageGroupId")
    if group_id is not None:  # on a standard queue, group ids make it a fair queue
        message_rules.check_group_id("MessageGroupId", group_id)
    if not queue.fifo:
        if dedup_id is not None:
            raise invalid_value(
                "MessageDeduplicationId",
                dedup_id,
                "The request includes a parameter that is not valid for this queue type.",
            )
        return group_id, None
    if dedup_id is not None:
        message_rules.check_group_id("MessageDeduplicationId", dedup_id)
    return group_id, dedup_id  # without one, the FIFO queue derives it from the body


def prepare(
    queue: QueueRecord,
    ctx: RequestContext,
    entry: Params,
    now_ms: int,
    enqueue: Enqueue,
    *,
    in_batch: bool = False,
) -> Outgoing:
    body = entry.required_text("MessageBody")
    message_rules.check_body(body)
    delay = _delay(queue, entry)
    attributes = message_rules.message_attributes(entry.mapping("MessageAttributes"))
    system = message_rules.system_attributes(entry.mapping("MessageSystemAttributes"))
    group_id, dedup_id = _group_and_dedup_ids(queue, entry)
    size = len(body.encode()) + size_of(attributes)
    limit = int(queue.attributes["MaximumMessageSize"])
    if size > limit:
        verb = "cannot be validated" if in_batch else "are invalid"
        raise invalid_parameter_value(
            f"One or more parameters {verb}. Reason: Message must be shorter than {limit} bytes."
        )
    trace = (
        {"AWSTraceHeader": {"DataType": "String", "StringValue": ctx.trace_header}}
        if ctx.trace_header
        else None
    )
    message = Message(
        body, ctx.access_key or ctx.account, attributes, system or trace, group_id, dedup_id, delay
    )
    row = enqueue.row(queue, message, now_ms)
    reply: dict[str, Any] = {"MessageId": row.message_id, "MD5OfMessageBody": row.body_md5}
    if attributes:
        reply["MD5OfMessageAttributes"] = md5_of_attributes(attributes)
    if system:
        reply["MD5OfMessageSystemAttributes"] = md5_of_attributes(system)
    return Outgoing(row, size, reply)
