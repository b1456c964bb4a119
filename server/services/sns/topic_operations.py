"""SNS operations on topics and their tags: one handler per operation, params in, result dict out."""

from __future__ import annotations

from typing import Any

from persistence.records import TopicRecord
from server.context import RequestContext
from server.errors import missing_parameter
from server.services.params import Params
from server.services.sns import topic_rules
from server.services.sns.arns import checked_topic_arn
from server.services.sns.errors import resource_not_found
from server.services.sns.pages import page
from server.services.sns.service import SnsService

Result = dict[str, Any]


def _tags(params: Params) -> dict[str, str]:
    entries = params.entries("Tags")
    tags = {}
    for entry in entries:
        tags[entry.required_text("Key", echoed=True)] = entry.text("Value", echoed=True) or ""
    topic_rules.check_tags(tags, len(entries))
    return tags


async def create_topic(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    name = params.text("Name", echoed=True)
    if name is None:
        raise missing_parameter("Name")  # an empty one is a bad name, below
    topic = await sns.catalog.create(ctx, name, params.text_map("Attributes", echoed=True), _tags(params))
    return {"TopicArn": topic.arn}


async def delete_topic(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.get(checked_topic_arn(ctx, params.required_text("TopicArn")))
    if topic is not None:  # deleting a topic that is not there answers 200, as AWS does
        await sns.delete_topic(topic)
    return {}


async def list_topics(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topics, token = page(sns.catalog.in_scope(ctx), lambda t: t.arn, params.text("NextToken"))
    result: Result = {"Topics": [{"TopicArn": t.arn} for t in topics]}
    if token:
        result["NextToken"] = token
    return result


async def get_topic_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    subscriptions = sns.subscriptions.of_topic(topic.arn)
    pending = sum(s.pending for s in subscriptions)
    view = topic_rules.attributes_view(topic, confirmed=len(subscriptions) - pending, pending=pending)
    return {"Attributes": view}


async def set_topic_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    name = params.required_text("AttributeName")
    await sns.catalog.set_attribute(topic, name, params.text("AttributeValue", echoed=True) or "")
    return {}


def _tagged(sns: SnsService, ctx: RequestContext, params: Params) -> TopicRecord:
    arn = params.required_text("ResourceArn")
    topic = sns.catalog.get(arn)
    if topic is None or topic.account != ctx.account:
        raise resource_not_found()
    return topic


async def tag_resource(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    if not params.has("Tags"):
        raise missing_parameter("Tags")
    await sns.catalog.tag(_tagged(sns, ctx, params), _tags(params))
    return {}


async def untag_resource(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    await sns.catalog.untag(_tagged(sns, ctx, params), params.text_list("TagKeys"))
    return {}


async def list_tags_for_resource(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = _tagged(sns, ctx, params)
    return {"Tags": [{"Key": key, "Value": value} for key, value in topic.tags.items()]}
