"""SQS operations on queues themselves: one handler per operation, params in, result dict out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from persistence import messages as message_rows
from persistence.records import QueueRecord
from server.context import RequestContext
from server.errors import missing_parameter
from server.services.params import Params
from server.services.sqs import attributes, policy
from server.services.sqs.catalog import queue_arn
from server.services.sqs.errors import sqs_error
from server.services.sqs.pages import page_of
from server.services.sqs.service import SqsService

Result = dict[str, Any]
PURGE_INTERVAL_MS = 60_000
_COUNTED = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


async def create_queue(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    name = params.required_text("QueueName")
    attributes = params.text_map("Attributes", echoed=True)
    queue = await sqs.catalog.create(ctx, name, attributes, params.text_map("tags", echoed=True))
    return {"QueueUrl": sqs.url_of(ctx, queue)}


async def delete_queue(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    await sqs.catalog.delete(sqs.queue(ctx, params))
    return {}


async def get_queue_url(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    name = params.required_text("QueueName")
    account = params.text("QueueOwnerAWSAccountId") or ctx.account
    return {"QueueUrl": sqs.url_of(ctx, sqs.catalog.find(account, ctx.region, name))}


async def list_queues(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queues = sqs.catalog.names(ctx.account, ctx.region, params.text("QueueNamePrefix") or "")
    page, token = page_of(queues, params)
    result: Result = {}
    if page:
        result["QueueUrls"] = [sqs.url_of(ctx, queue) for queue in page]
    if token is not None:
        result["NextToken"] = token
    return result


async def get_queue_attributes(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    names = params.text_list("AttributeNames")
    available = dict(queue.attributes)
    available |= {
        "QueueArn": queue_arn(queue),
        "CreatedTimestamp": str(queue.created_s),
        "LastModifiedTimestamp": str(queue.modified_s),
    }
    if "All" in names or any(name in _COUNTED for name in names):
        counts = await sqs.messaging.counts(queue)
        available |= dict(
            zip(_COUNTED, (str(counts.visible), str(counts.in_flight), str(counts.delayed)), strict=True)
        )
    selected = attributes.select(names, available, fifo=queue.fifo)
    return {"Attributes": selected} if selected else {}


async def set_queue_attributes(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    if not params.has("Attributes"):
        raise missing_parameter("Attributes")
    await sqs.catalog.set_attributes(queue, params.text_map("Attributes", echoed=True))
    return {}


async def purge_queue(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    now_ms = sqs.clock.now_ms()

    def mark_purged(current: QueueRecord) -> QueueRecord:
        last = current.last_purge_ms
        if sqs.enforce_purge_interval and last is not None and now_ms - last < PURGE_INTERVAL_MS:
            raise sqs_error(
                "PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
            )
        return replace(current, last_purge_ms=now_ms)

    # The check, the mark and the purge share one transaction: two racing purges cannot both pass.
    await sqs.catalog.change(queue, mark_purged, also=message_rows.purge)
    return {}


async def tag_queue(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    tags = params.text_map("Tags", echoed=True)
    await sqs.catalog.change(queue, lambda q: replace(q, tags=q.tags | tags))
    return {}


async def untag_queue(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    keys = set(params.text_list("TagKeys"))
    await sqs.catalog.change(
        queue, lambda q: replace(q, tags={k: v for k, v in q.tags.items() if k not in keys})
    )
    return {}


async def list_queue_tags(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    tags = sqs.queue(ctx, params).tags
    return {"Tags": tags} if tags else {}


def _set_policy(queue: QueueRecord, value: str) -> QueueRecord:
    kept = {name: v for name, v in queue.attributes.items() if name != "Policy"}
    return replace(queue, attributes=kept | ({"Policy": value} if value else {}))


async def add_permission(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    label = params.required_text("Label", echoed=True)
    accounts = params.text_list("AWSAccountIds", echoed=True)
    actions = params.text_list("Actions", echoed=True)
    if not accounts:
        raise missing_parameter("AWSAccountIds")
    if not actions:
        raise missing_parameter("Actions")
    arn = queue_arn(queue)
    await sqs.catalog.change(
        queue,
        lambda q: _set_policy(
            q, policy.add_statement(arn, q.attributes.get("Policy"), label, accounts, actions)
        ),
    )
    return {}


async def remove_permission(sqs: SqsService, params: Params, ctx: RequestContext) -> Result:
    queue = sqs.queue(ctx, params)
    label = params.required_text("Label")
    arn = queue_arn(queue)
    await sqs.catalog.change(
        queue, lambda q: _set_policy(q, policy.remove_statement(arn, q.attributes.get("Policy"), label))
    )
    return {}
