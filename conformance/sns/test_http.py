"""HTTP subscriptions with an endpoint in this process: only against an endpoint on this machine (AWS cannot
reach it)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator

import pytest
from botocore.client import BaseClient

from conformance.conftest import Endpoint
from tests.http_subscriber import Subscriber

pytestmark = pytest.mark.client("boto3")


@pytest.fixture
def subscriber(endpoint: Endpoint) -> Iterator[Subscriber]:
    if urllib.parse.urlsplit(endpoint.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip("the endpoint cannot reach an HTTP subscriber on this machine")
    with Subscriber() as running:
        yield running


def test_confirm_then_notify(sns: BaseClient, make_topic: Callable[..., str], subscriber: Subscriber) -> None:
    """An HTTP endpoint confirms by visiting the SubscribeURL, then gets notifications with AWS's headers"""
    topic = make_topic()
    arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url, ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    (confirmation,) = subscriber.wait_for(1)
    assert confirmation.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert confirmation.document["Token"] and confirmation.document["TopicArn"] == topic
    subscriber.confirm()
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )
    message_id = sns.publish(TopicArn=topic, Message="over http")["MessageId"]
    notification = subscriber.wait_for(2)[1]
    assert notification.headers["x-amz-sns-message-id"] == message_id
    assert notification.headers["x-amz-sns-subscription-arn"] == arn
    assert notification.headers["content-type"].startswith("text/plain")
    assert json.loads(notification.body)["Message"] == "over http"


def test_retry(sns: BaseClient, make_topic: Callable[..., str], subscriber: Subscriber) -> None:
    """A failed HTTP delivery is retried as the subscription's delivery policy says"""
    topic = make_topic()
    policy = {"healthyRetryPolicy": {"numRetries": 1, "numNoDelayRetries": 1}}
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=subscriber.url,
        Attributes={"DeliveryPolicy": json.dumps(policy)},
    )
    subscriber.confirm()
    subscriber.statuses.append(500)
    message_id = sns.publish(TopicArn=topic, Message="again")["MessageId"]
    attempts = subscriber.wait_for(3)[1:]
    assert [a.headers["x-amz-sns-message-id"] for a in attempts] == [message_id, message_id]
