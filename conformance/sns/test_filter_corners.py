"""Filter policies' corners and the texts SNS refuses them with, as AWS answered them (recorded against AWS in
public test suites' snapshot files, and AWS's documentation): dotted keys, `exists`, complexity, error texts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.sns.conftest import receive

pytestmark = pytest.mark.client("boto3")
Topic = Callable[..., str]
Queue = Callable[..., tuple[str, str]]


def _message_of(raised: pytest.ExceptionInfo[ClientError]) -> str:
    response: dict[str, Any] = raised.value.response
    message: str = response["Error"]["Message"]
    return message


def test_dotted_keys(sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue) -> None:
    """A body key written with dots matches nested objects and dotted keys alike"""
    topic = make_topic()
    url, _ = subscribed_queue(
        topic,
        RawMessageDelivery="true",
        FilterPolicy=json.dumps({"object.nested.test": ["v"]}),
        FilterPolicyScope="MessageBody",
    )
    matching = [
        {"object": {"nested": {"test": "v"}}},
        {"object.nested.test": "v"},
        {"object.nested": {"test": "v"}},
        {"object": {"nested.test": "v"}},
    ]
    for body in [*matching, {"object": {"nested": {"test": "other"}}}]:
        sns.publish(TopicArn=topic, Message=json.dumps(body))
    received = sorted(m["Body"] for m in receive(queues, url, 4))
    assert received == sorted(json.dumps(body) for body in matching)


def test_exists_false_needs_an_attribute(
    sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue
) -> None:
    """`exists: false` matches a message without the key, but not one without any attribute"""
    topic = make_topic()
    url, _ = subscribed_queue(
        topic, RawMessageDelivery="true", FilterPolicy=json.dumps({"store": [{"exists": False}]})
    )
    sns.publish(TopicArn=topic, Message="no attributes")
    other = {"def": {"DataType": "String", "StringValue": "x"}}
    sns.publish(TopicArn=topic, Message="another attribute", MessageAttributes=other)
    assert [m["Body"] for m in receive(queues, url, 1)] == ["another attribute"]


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        pytest.param({"key": [{"numeric": []}]}, "Invalid member in numeric match: ]", id="numeric-empty"),
        pytest.param(
            {"key": [{"numeric": ["<", 100, ">", 10]}]},
            "Too many elements in numeric expression",
            id="numeric-order",
        ),
        pytest.param(
            {"key": [{"numeric": [">", 20, 30]}]}, "Bad value in numeric range: 30", id="numeric-value"
        ),
        pytest.param(
            {"key": [{"anything-but": {"suffix": "test"}}]},
            "Unsupported anything-but pattern: suffix",
            id="anything-but-suffix",
        ),
    ],
)
def test_policy_mistakes(
    sns: BaseClient, make_topic: Topic, subscribed_queue: Queue, policy: dict[str, Any], reason: str
) -> None:
    """A policy with a mistake is refused with AWS's reason"""
    _, subscription = subscribed_queue(make_topic())
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue=json.dumps(policy)
        )
    assert _message_of(raised).startswith(f"Invalid parameter: FilterPolicy: {reason}")


def test_complexity_counts_nesting(sns: BaseClient, make_topic: Topic, subscribed_queue: Queue) -> None:
    """A nested key's values count once per level toward the 150 combinations"""
    _, subscription = subscribed_queue(make_topic())
    policy = {
        "$or": [{"metricName": ["CPU", "Read", "Test"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
        "detail": {"scope": ["Service", "Test"], "$or": [{"source": ["a"]}, {"type": ["x", "y", "z"]}]},
    }
    sns.set_subscription_attributes(
        SubscriptionArn=subscription, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue=json.dumps(policy)
        )
    assert _message_of(raised) == "Invalid parameter: FilterPolicy: Filter policy is too complex"


def test_policy_that_is_not_json(sns: BaseClient, make_topic: Topic, subscribed_queue: Queue) -> None:
    """A RedrivePolicy that is not JSON is refused in the JSON parser's words"""
    _, subscription = subscribed_queue(make_topic())
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription, AttributeName="RedrivePolicy", AttributeValue="{invalid-json}"
        )
    assert _message_of(raised) == (
        "Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was"
        " expecting double-quote to start field name\n at [Source: REDACTED"
        " (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2]"
    )


def test_confirm_on_a_missing_topic(sns: BaseClient, make_topic: Topic) -> None:
    """ConfirmSubscription on a topic that does not exist names the token"""
    topic = make_topic()
    sns.delete_topic(TopicArn=topic)
    with pytest.raises(ClientError) as raised:
        sns.confirm_subscription(TopicArn=topic, Token="ab" * 128)
    assert _message_of(raised) == "Invalid parameter: Token"
