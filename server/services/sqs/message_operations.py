"""SQS operations on messages: one handler per operation, params in, result dict out."""

from __future__ import annotations

from typing import Any

from persistence.fifo import Sent
from server.context import RequestContext
from server.errors import AwsError, invalid_parameter_value, missing_parameter
from server.services.params import Params
from server.services.sqs import batches, message_rules, receipts
from server.services.sqs.errors import invalid_value, sqs_error
from server.services.sqs.incoming import Selection, received, sequence_text
from server.services.sqs.messaging import VisibilityRequest
from server.services.sqs.outgoing import Outgoing, check_fifo_required, prepare
from server.services.sqs.service import SqsService

Result = dict[str, Any]
MAX_BATCH_BYTES = 1_048_576
MAX_VISIBILITY_S = 43_200


def _fifo_reply(reply: Result, sent: Sent) -> Result:
    """A FIFO send's answer: a duplicate answers with the message it duplicates."""
    return reply | {"MessageId": sent.message_id, "SequenceNumber": sequence_text(sent.sequence_number)}


async def send_message(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    check_fifo_required(queue, params, missing_parameter)
    outgoing = prepare(queue, ctx, params, sqs.clock.now_ms(), sqs.messaging.enqueue)
    sent = await sqs.messaging.send(queue, [outgoing.row])
    return outgoing.reply if sent is None else _fifo_reply(outgoing.reply, sent[0])


def _missing_in_batch(name: str) -> AwsError:
    return invalid_parameter_value(f"The request must contain the parameter {name}.")


async def send_message_batch(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    entries = params.entries("Entries")
    ids = batches.check_entries(entries, "SendMessageBatchRequestEntry")
    for entry in entries:  # FIFO ids missing from any entry fail the whole batch
        check_fifo_required(queue, entry, _missing_in_batch)
    now_ms = sqs.clock.now_ms()
    accepted: list[tuple[str, Outgoing]] = []
    failed: list[Result] = []
    for entry_id, entry in zip(ids, entries, strict=True):
        try:
            accepted.append(
                (entry_id, prepare(queue, ctx, entry, now_ms, sqs.messaging.enqueue, in_batch=True))
            )
        except AwsError as error:
            failed.append(batches.failure(entry_id, error))
    total = sum(outgoing.size for _, outgoing in accepted)
    if total > MAX_BATCH_BYTES:
        raise sqs_error(
            "BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes.",
        )
    sent = await sqs.messaging.send(queue, [outgoing.row for _, outgoing in accepted])
    replies = [outgoing.reply for _, outgoing in accepted]
    if sent is not None:
        replies = [_fifo_reply(reply, one) for reply, one in zip(replies, sent, strict=True)]
    return batches.result(
        [{"Id": entry_id} | reply for (entry_id, _), reply in zip(accepted, replies, strict=True)], failed
    )


def _bounded(params: Params, name: str, low: int, high: int, reason: str) -> int | None:
    value = params.integer(name)
    if value is not None and not low <= value <= high:
        raise invalid_value(name, value, reason)
    return value


async def receive_message(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    limit = _bounded(params, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided.")
    wait_s = _bounded(params, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided.")
    visibility_s = _bounded(
        params,
        "VisibilityTimeout",
        0,
        MAX_VISIBILITY_S,
        f"Must be >= 0 and <= {MAX_VISIBILITY_S}, if provided.",
    )
    attempt_id = params.text("ReceiveRequestAttemptId")
    if attempt_id is not None:
        message_rules.check_group_id("ReceiveRequestAttemptId", attempt_id)
    selection = Selection(
        frozenset(params.text_list("AttributeNames") + params.text_list("MessageSystemAttributeNames")),
        tuple(params.text_list("MessageAttributeNames")),
    )
    messages = await sqs.messaging.receive(
        queue,
        limit or 1,
        int(queue.attributes["VisibilityTimeout"]) if visibility_s is None else visibility_s,
        int(queue.attributes["ReceiveMessageWaitTimeSeconds"]) if wait_s is None else wait_s,
        ctx.client_gone,
        attempt_id,
    )
    return {"Messages": [received(message, selection) for message in messages]} if messages else {}


async def delete_message(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    handle = params.required_text("ReceiptHandle")
    (error,) = await sqs.messaging.delete(queue, [(handle, receipts.parse(handle))])
    if error is not None:
        raise error
    return {}


async def delete_message_batch(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    entries = params.entries("Entries")
    ids = batches.check_entries(entries, "DeleteMessageBatchRequestEntry")
    requests: list[tuple[str, tuple[str, receipts.Receipt]]] = []
    failed: list[Result] = []
    for entry_id, entry in zip(ids, entries, strict=True):
        try:
            handle = entry.required_text("ReceiptHandle")
            requests.append((entry_id, (handle, receipts.parse(handle))))
        except AwsError as error:
            failed.append(batches.failure(entry_id, error))
    outcomes = await sqs.messaging.delete(queue, [request for _, request in requests])
    return _batch_outcome(requests, outcomes, failed)


def _batch_outcome(
    requests: list[tuple[str, Any]], outcomes: list[AwsError | None], failed: list[Result]
) -> Result:
    successful: list[Result] = []
    for (entry_id, _), outcome in zip(requests, outcomes, strict=True):
        if outcome is None:
            successful.append({"Id": entry_id})
        else:
            failed.append(batches.failure(entry_id, outcome))
    return batches.result(successful, failed)


def _visibility_request(entry: Params) -> VisibilityRequest:
    handle = entry.required_text("ReceiptHandle")
    receipt = receipts.parse(handle)
    if not entry.has("VisibilityTimeout"):
        raise missing_parameter("VisibilityTimeout")
    visibility_s = _bounded(
        entry,
        "VisibilityTimeout",
        0,
        MAX_VISIBILITY_S,
        f"VisibilityTimeout must be an integer between 0 and {MAX_VISIBILITY_S}",
    )
    return VisibilityRequest(handle, receipt, visibility_s or 0)


async def change_message_visibility(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    (error,) = await sqs.messaging.change_visibility(queue, [_visibility_request(params)])
    if error is not None:
        raise error
    return {}


async def change_message_visibility_batch(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    entries = params.entries("Entries")
    ids = batches.check_entries(entries, "ChangeMessageVisibilityBatchRequestEntry")
    requests: list[tuple[str, VisibilityRequest]] = []
    failed: list[Result] = []
    for entry_id, entry in zip(ids, entries, strict=True):
        try:
            requests.append((entry_id, _visibility_request(entry)))
        except AwsError as error:
            failed.append(batches.failure(entry_id, error))
    outcomes = await sqs.messaging.change_visibility(queue, [request for _, request in requests])
    return _batch_outcome(requests, outcomes, failed)
