"""SNS operations on subscriptions: one handler per operation, params in, result dict out."""

from __future__ import annotations

from typing import Any

from persistence.records import SubscriptionRecord
from server.context import RequestContext
from server.errors import AwsError, missing_parameter
from server.services.params import Params
from server.services.sns import subscription_rules
from server.services.sns.errors import invalid_parameter, subscription_not_found
from server.services.sns.pages import page
from server.services.sns.service import SnsService

Result = dict[str, Any]
PENDING = "pending confirmation"
"""What Subscribe answers for a subscription still to be confirmed (unless asked for the ARN)."""


def _checked_subscription_arn(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) < 6:
        raise invalid_parameter(
            f"SubscriptionArn Reason: An ARN must have at least 6 elements, not {len(parts)}"
        )
    if parts[:3] != ["arn", "aws", "sns"] or len(parts) != 7 or not parts[6]:
        raise invalid_parameter("SubscriptionId")
    return arn


def _listed(subscription: SubscriptionRecord) -> Result:
    return {
        "SubscriptionArn": "PendingConfirmation" if subscription.pending else subscription.arn,
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "TopicArn": subscription.topic_arn,
    }


async def subscribe(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    protocol = params.text("Protocol")
    if protocol is None:
        raise missing_parameter("Protocol")
    endpoint = subscription_rules.check_endpoint(protocol, params.text("Endpoint", echoed=True), topic)
    attributes = params.text_map("Attributes", echoed=True)
    subscription = await sns.subscriptions.subscribe(ctx, topic, protocol, endpoint, attributes)
    if subscription.pending and protocol in ("http", "https"):  # asked again: AWS sends it again
        await sns.send_confirmation(topic, subscription, ctx.base_url)
    shown = (
        subscription.arn if not subscription.pending or params.boolean("ReturnSubscriptionArn") else PENDING
    )
    return {"SubscriptionArn": shown}


async def confirm_subscription(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    # The SubscribeURL is visited unsigned: the topic's own region counts, not the default one.
    token = params.required_text("Token")
    try:
        topic = sns.catalog.find(ctx, params.required_text("TopicArn"), any_region=ctx.access_key is None)
    except AwsError as error:
        if error.code != "NotFound":
            raise
        raise invalid_parameter("Token") from None  # AWS names the token, not the topic (recorded)
    subscription = await sns.subscriptions.confirm(topic, token)
    return {"SubscriptionArn": subscription.arn}


async def unsubscribe(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    subscription = sns.subscriptions.get(_checked_subscription_arn(params.required_text("SubscriptionArn")))
    if subscription is not None:  # one that is not there answers 200, as AWS does
        await sns.unsubscribe(subscription, ctx.base_url)
    return {}


async def list_subscriptions(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    mine = [
        s for s in sns.subscriptions.all() if s.owner == ctx.account and s.arn.split(":")[3] == ctx.region
    ]
    return _page_of(mine, params)


async def list_subscriptions_by_topic(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    return _page_of(sns.subscriptions.of_topic(topic.arn), params)


def _page_of(subscriptions: list[SubscriptionRecord], params: Params) -> Result:
    shown, token = page(subscriptions, lambda s: s.arn, params.text("NextToken"))
    result: Result = {"Subscriptions": [_listed(s) for s in shown]}
    if token:
        result["NextToken"] = token
    return result


async def get_subscription_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    arn = _checked_subscription_arn(params.required_text("SubscriptionArn"))
    return {"Attributes": subscription_rules.attributes_view(sns.subscriptions.find(arn))}


async def set_subscription_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    subscription = sns.subscriptions.find(_checked_subscription_arn(params.required_text("SubscriptionArn")))
    topic = sns.catalog.get(subscription.topic_arn)
    if topic is None:  # its topic went away with it
        raise subscription_not_found()
    name = params.required_text("AttributeName")
    value = params.text("AttributeValue", echoed=True) or ""
    await sns.subscriptions.set_attribute(subscription, topic, name, value)
    return {}
