"""DeliveryPolicy and Policy as AWS checks them when set: AWS's members within AWS's bounds, statements that
are objects, nothing nested so deep that reading it back could fail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.harness import ServerProcess
from tests.test_sns_subscriptions import queue_arn
from tests.test_sns_topics import error_of, unique

RETRY = "healthyRetryPolicy"
BAD_SUBSCRIPTION_POLICIES: list[tuple[Any, str]] = [
    ({RETRY: {"numRetries": 101}}, "healthyRetryPolicy.numRetries must be less than or equal to 100"),
    ({RETRY: {"numRetries": -1}}, "healthyRetryPolicy.numRetries must be greater than or equal to 0"),
    ({RETRY: {"minDelayTarget": 0}}, "minDelayTarget must be greater than or equal to 1"),
    ({RETRY: {"maxDelayTarget": 3601}}, "maxDelayTarget must be less than or equal to 3600"),
    ({RETRY: {"minDelayTarget": 30, "maxDelayTarget": 10}}, "less than or equal to maxDelayTarget"),
    ({RETRY: {"backoffFunction": "cubic"}}, "backoffFunction must be one of"),
    ({RETRY: {"numRetries": 2, "numNoDelayRetries": 3}}, "at least the sum"),
    ({RETRY: {"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60}}, "total retry time"),
    ({RETRY: {"numRetries": "3"}}, "numRetries must be an integer"),
    (
        {"throttlePolicy": {"maxReceivesPerSecond": 0}},
        "maxReceivesPerSecond must be greater than or equal to 1",
    ),
    ({"retryPolicy": {}}, "Unexpected JSON member: retryPolicy"),
    ({RETRY: "fast"}, "healthyRetryPolicy must be a JSON object"),
]


@pytest.mark.parametrize(("policy", "reason"), BAD_SUBSCRIPTION_POLICIES)
def test_a_subscription_delivery_policy_aws_refuses_is_refused(
    sns: BaseClient, policy: Any, reason: str
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    arn = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/x", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
        )
    code, message, status = error_of(raised)
    assert (code, status) == ("InvalidParameter", 400)
    assert message.startswith("Invalid parameter: DeliveryPolicy: ") and reason in message


def _deep(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def test_topic_policies_aws_refuses_are_refused_and_reading_back_never_fails(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    refused = [
        ("DeliveryPolicy", json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 101}}})),
        ("DeliveryPolicy", '{"http": ' + _deep(300) + "}"),
        ("DeliveryPolicy", json.dumps({"sqs": {}})),
        ("Policy", json.dumps({"Version": "2012-10-17", "Statement": ["not an object", 7]})),
        (
            "Policy",
            json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "x", "Deep": json.loads(_deep(40))}]}),
        ),
    ]
    for name, value in refused:
        with pytest.raises(ClientError) as raised:
            sns.set_topic_attributes(TopicArn=topic, AttributeName=name, AttributeValue=value)
        assert error_of(raised)[0] == "InvalidParameter", (name, value[:80])
    accepted = {
        "http": {"defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 2, "maxDelayTarget": 30}}
    }
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(accepted)
    )
    effective = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 5
    sns.add_permission(TopicArn=topic, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"])
    sns.remove_permission(TopicArn=topic, Label="pub")


def test_a_delivery_policy_within_awss_bounds_is_kept(sns: BaseClient, server: ServerProcess) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    policy = {RETRY: {"numRetries": 3, "numNoDelayRetries": 1, "minDelayTarget": 1, "maxDelayTarget": 5}}
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn(server, unique("kept")),
        Attributes={"DeliveryPolicy": json.dumps(policy)},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    assert (
        json.loads(sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["DeliveryPolicy"])
        == policy
    )
