"""SNS operations on topics and their tags: one handler per operation, params in, result dict out."""

from __future__ import annotations

import base64
from typing import Any

from persistence.records import TopicRecord
from server.context import RequestContext
from server.errors import missing_parameter
from server.services.params import Params
from server.services.sns import topic_rules
from server.services.sns.arns import checked_topic_arn
from server.services.sns.errors import invalid_parameter, resource_not_found
from server.services.sns.service import SnsService

Result = dict[str, Any]
PAGE = 100


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
        await sns.catalog.delete(topic)
    return {}


def _page_token(arn: str) -> str:
    return base64.urlsafe_b64encode(arn.encode()).decode()


async def list_topics(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topics = sns.catalog.in_scope(ctx)
    token = params.text("NextToken")
    if token:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except ValueError:
            raise invalid_parameter("NextToken") from None
        topics = [t for t in topics if t.arn > after]
    result: Result = {"Topics": [{"TopicArn": t.arn} for t in topics[:PAGE]]}
    if len(topics) > PAGE:
        result["NextToken"] = _page_token(topics[PAGE - 1].arn)
    return result


async def get_topic_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    return {"Attributes": topic_rules.attributes_view(topic, confirmed=0, pending=0)}


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
