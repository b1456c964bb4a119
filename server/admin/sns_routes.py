"""SNS's admin routes (JSON): topics, subscriptions with their confirmation tokens, each HTTP/S subscription's
recent delivery attempts, the outbox, and what went to protocols Posthouse does not send over a network.
LocalStack's `/_aws/sns/...` routes are answered too, in LocalStack's shapes, for tests written against it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from persistence import outbox
from persistence.records import SubscriptionRecord
from server.admin.services import sns_of
from server.services.sns import subscription_rules, topic_rules
from server.services.sns.errors import subscription_not_found

OUTBOX_SHOWN = 100


def _subscription(subscription: SubscriptionRecord) -> dict[str, Any]:
    return {
        "arn": subscription.arn,
        "topic_arn": subscription.topic_arn,
        "protocol": subscription.protocol,
        "endpoint": subscription.endpoint,
        "pending_confirmation": subscription.pending,
        "token": subscription.token,
        "attributes": subscription_rules.attributes_view(subscription),
    }


async def list_topics(request: Request) -> Response:
    """Every topic, with its attributes and tags."""
    sns = sns_of(request)
    topics = []
    for topic in sorted(sns.catalog.all(), key=lambda t: t.arn):
        subscriptions = sns.subscriptions.of_topic(topic.arn)
        confirmed = sum(not s.pending for s in subscriptions)
        topics.append(
            {
                "arn": topic.arn,
                "name": topic.name,
                "fifo": topic.fifo,
                "attributes": topic_rules.attributes_view(topic, confirmed, len(subscriptions) - confirmed),
                "tags": topic.tags,
            }
        )
    return JSONResponse({"topics": topics})


async def list_subscriptions(request: Request) -> Response:
    """Subscriptions (?topic_arn=), with their attributes and confirmation tokens."""
    sns = sns_of(request)
    topic_arn = request.query_params.get("topic_arn")
    subscriptions = sns.subscriptions.of_topic(topic_arn) if topic_arn else sns.subscriptions.all()
    return JSONResponse({"subscriptions": [_subscription(s) for s in subscriptions]})


async def delivery_attempts(request: Request) -> Response:
    """The latest attempts to deliver to an HTTP/S subscription (kept while it exists, in memory)."""
    sns = sns_of(request)
    arn = request.path_params["arn"]
    if sns.subscriptions.get(arn) is None and arn not in sns.recorded.attempts:
        raise subscription_not_found()
    return JSONResponse({"subscription_arn": arn, "attempts": list(sns.recorded.attempts.get(arn, ()))})


async def list_outbox(request: Request) -> Response:
    """HTTP/S deliveries waiting, with their attempts so far."""
    sns = sns_of(request)
    pending = await sns.db.read(lambda conn: outbox.due(conn, 2**62, OUTBOX_SHOWN, set()))
    total = await sns.db.read(outbox.count)
    shown = [
        {
            "id": p.id,
            "subscription_arn": p.delivery.subscription_arn,
            "endpoint": p.delivery.endpoint,
            "type": p.delivery.kind,
            "message_id": p.delivery.message_id,
            "attempts": p.attempts,
        }
        for p in pending
    ]
    return JSONResponse({"total": total, "deliveries": shown})


async def recorded_messages(request: Request) -> Response:
    """What went to e-mail, Lambda, push and Firehose subscriptions (?protocol=)."""
    protocol = request.query_params.get("protocol")
    messages = [m for m in sns_of(request).recorded.messages if protocol in (None, m["Protocol"])]
    return JSONResponse({"messages": messages})


async def recorded_sms(request: Request) -> Response:
    """SMS messages sent (to subscriptions and phone numbers)."""
    return JSONResponse({"sms_messages": list(sns_of(request).recorded.sms)})


# LocalStack's shapes, for tests written against LocalStack


async def localstack_subscription_token(request: Request) -> Response:
    """LocalStack's route: a pending subscription's confirmation token."""
    subscription = sns_of(request).subscriptions.get(request.path_params["arn"])
    if subscription is None or subscription.token is None:
        return JSONResponse(
            {
                "error": "The subscription does not exist or has no token",
                "subscription_arn": request.path_params["arn"],
            },
            status_code=404,
        )
    return JSONResponse({"subscription_token": subscription.token, "subscription_arn": subscription.arn})


async def localstack_sms_messages(request: Request) -> Response:
    """LocalStack's route: SMS messages sent (GET), or forget them (DELETE)."""
    sns = sns_of(request)
    if request.method == "DELETE":
        sns.recorded.sms.clear()
        return Response(status_code=204)
    wanted = request.query_params.get("phoneNumber")
    by_number: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in sns.recorded.sms:
        if wanted in (None, message["PhoneNumber"]):
            by_number[message["PhoneNumber"]].append(message)
    return JSONResponse({"sms_messages": by_number, "region": request.query_params.get("region")})


async def localstack_platform_endpoint_messages(request: Request) -> Response:
    """LocalStack's route: push messages by endpoint (GET), or forget them (DELETE)."""
    sns = sns_of(request)
    if request.method == "DELETE":
        sns.recorded.messages.clear()
        return Response(status_code=204)
    by_endpoint: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in sns.recorded.messages:
        if message["Protocol"] == "application":
            by_endpoint[message["Endpoint"]].append(message)
    return JSONResponse(
        {"platform_endpoint_messages": by_endpoint, "region": request.query_params.get("region")}
    )


SNS_ROUTES = [
    Route("/admin/sns/topics", list_topics),
    Route("/admin/sns/subscriptions", list_subscriptions),
    Route("/admin/sns/subscriptions/{arn:path}/deliveries", delivery_attempts),
    Route("/admin/sns/outbox", list_outbox),
    Route("/admin/sns/messages", recorded_messages),
    Route("/admin/sns/sms", recorded_sms),
    Route("/_aws/sns/subscription-tokens/{arn:path}", localstack_subscription_token),
    Route("/_aws/sns/sms-messages", localstack_sms_messages, methods=["GET", "DELETE"]),
    Route(
        "/_aws/sns/platform-endpoint-messages",
        localstack_platform_endpoint_messages,
        methods=["GET", "DELETE"],
    ),
]
