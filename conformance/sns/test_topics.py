"""Topics and subscriptions as applications and infrastructure code manage them."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.conftest import error_of

pytestmark = pytest.mark.client("boto3")


def test_create_topic_is_idempotent(sns: BaseClient, make_topic: Callable[..., str]) -> None:
    """CreateTopic of an existing name answers the same ARN"""
    arn = make_topic()
    name = arn.rsplit(":", 1)[1]
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    assert arn.startswith("arn:aws:sns:")


def test_topic_attributes_defaults(sns: BaseClient, make_topic: Callable[..., str]) -> None:
    """GetTopicAttributes shows the owner, a default policy and the effective delivery policy"""
    arn = make_topic()
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert json.loads(attributes["Policy"])["Statement"]
    assert "http" in json.loads(attributes["EffectiveDeliveryPolicy"])


def test_bad_topic_name(sns: BaseClient) -> None:
    """CreateTopic with a name holding a space is InvalidParameter (400)"""
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name="not valid")
    assert error_of(excinfo) == ("InvalidParameter", 400)


def test_missing_topic(sns: BaseClient, make_topic: Callable[..., str]) -> None:
    """GetTopicAttributes of a deleted topic is NotFound (404)"""
    arn = make_topic()
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sns.get_topic_attributes(TopicArn=arn)
    assert error_of(excinfo) == ("NotFound", 404)


def test_sqs_subscription_confirmed_at_once(
    sns: BaseClient, make_topic: Callable[..., str], subscribed_queue: Callable[..., tuple[str, str]]
) -> None:
    """An SQS subscription is confirmed at once and listed under its topic"""
    topic = make_topic()
    _, subscription = subscribed_queue(topic)
    assert subscription.startswith(topic + ":")
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == [subscription]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    assert (attributes["PendingConfirmation"], attributes["RawMessageDelivery"]) == ("false", "false")


def test_bad_subscription_attribute(
    sns: BaseClient, make_topic: Callable[..., str], subscribed_queue: Callable[..., tuple[str, str]]
) -> None:
    """RawMessageDelivery=maybe is InvalidParameter (400)"""
    _, subscription = subscribed_queue(make_topic())
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription, AttributeName="RawMessageDelivery", AttributeValue="maybe"
        )
    assert error_of(excinfo) == ("InvalidParameter", 400)


def test_bad_filter_policy(
    sns: BaseClient, make_topic: Callable[..., str], subscribed_queue: Callable[..., tuple[str, str]]
) -> None:
    """A filter policy whose value is a bare string is InvalidParameter (400)"""
    _, subscription = subscribed_queue(make_topic())
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue='{"country": "DE"}'
        )
    assert error_of(excinfo) == ("InvalidParameter", 400)
