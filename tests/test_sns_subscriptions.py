"""SNS subscriptions as boto3 drives them: SQS queues confirmed at once, HTTP and e-mail pending, AWS's
endpoint and attribute rules, idempotent Subscribe, both List calls in pages, and subscriptions that go with
their topic and survive a restart."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_sns_topics import error_of, unique
from tests.test_wire import call


@pytest.fixture
def topic(sns: BaseClient) -> str:
    arn: str = sns.create_topic(Name=unique())["TopicArn"]
    return arn


def queue_arn(server: ServerProcess, name: str) -> str:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(
        QueueName=name, Attributes={"FifoQueue": "true"} if name.endswith(".fifo") else {}
    )["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def subscribed(sns: BaseClient, server: ServerProcess, topic: str) -> str:
    """A new queue subscribed to the topic: its subscription ARN."""
    arn: str = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(server, unique("q")))[
        "SubscriptionArn"
    ]
    return arn


def test_an_sqs_subscription_is_confirmed_at_once_and_idempotent(
    sns: BaseClient, server: ServerProcess, topic: str
) -> None:
    endpoint = queue_arn(server, unique("q"))
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint)["SubscriptionArn"]
    assert arn.startswith(topic + ":") and len(arn.split(":")) == 7
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint)["SubscriptionArn"] == arn
    same = {"RawMessageDelivery": "false"}  # the default: still the same subscription
    assert (
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint, Attributes=same)["SubscriptionArn"]
        == arn
    )
    with pytest.raises(ClientError) as raised:
        sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=endpoint, Attributes={"RawMessageDelivery": "true"}
        )
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
        400,
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes == {
        "ConfirmationWasAuthenticated": "true",
        "Endpoint": endpoint,
        "Owner": "000000000000",
        "PendingConfirmation": "false",
        "Protocol": "sqs",
        "RawMessageDelivery": "false",
        "SubscriptionArn": arn,
        "SubscriptionPrincipal": "arn:aws:iam::000000000000:user/posthouse",
        "TopicArn": topic,
    }
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"


def test_subscription_attributes_are_validated_as_aws_does(
    sns: BaseClient, server: ServerProcess, topic: str
) -> None:
    arn = subscribed(sns, server, topic)
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="TRUE"
    )
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue='{"a": ["b"]}'
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (attributes["RawMessageDelivery"], attributes["FilterPolicyScope"]) == (
        "true",
        "MessageAttributes",
    )
    refused = [
        (
            "RawMessageDelivery",
            "yes",
            "Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.",
        ),
        (
            "FilterPolicyScope",
            "Body",
            "Invalid parameter: FilterPolicyScope: Invalid value [Body]."
            " Please use either MessageBody or MessageAttributes",
        ),
        ("RedrivePolicy", "{}", "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
        ("NoSuchAttribute", "x", "Invalid parameter: AttributeName"),
    ]
    for name, value, message in refused:
        with pytest.raises(ClientError) as raised:
            sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name, AttributeValue=value)
        assert error_of(raised) == ("InvalidParameter", message, 400)
    with pytest.raises(ClientError) as raised:  # at Subscribe, AWS names the parameter first
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn(server, unique("q")),
            Attributes={"RawMessageDelivery": "x"},
        )
    assert error_of(raised)[1] == (
        "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [x]. Must be true or false."
    )


@pytest.mark.parametrize(
    ("protocol", "endpoint", "message"),
    [
        (
            "carrier-pigeon",
            "x",
            "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
        ),
        ("sqs", "http://localhost:4566/000000000000/q", "Invalid parameter: SQS endpoint ARN"),
        ("sms", "call me", "Invalid SMS endpoint: call me"),
        (
            "https",
            "ftp://example.com",
            "Invalid parameter: Endpoint must match the specified protocol: https",
        ),
    ],
)
def test_endpoints_must_fit_their_protocol(
    sns: BaseClient, topic: str, protocol: str, endpoint: str, message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
    assert error_of(raised) == ("InvalidParameter", message, 400)


def test_a_fifo_queue_cannot_subscribe_to_a_standard_topic(
    sns: BaseClient, server: ServerProcess, topic: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(server, unique("q") + ".fifo"))
    assert error_of(raised)[1] == (
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS"
        " topics"
    )


def test_an_http_subscription_is_pending_until_confirmed(sns: BaseClient, topic: str) -> None:
    answer = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook")
    assert answer["SubscriptionArn"] == "pending confirmation"
    arn = sns.subscribe(
        TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "true"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == ["PendingConfirmation"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    with pytest.raises(ClientError) as raised:
        sns.confirm_subscription(TopicArn=topic, Token="randomtoken")
    assert error_of(raised) == ("InvalidParameter", "Invalid token", 400)
    with pytest.raises(ClientError) as raised:
        sns.confirm_subscription(TopicArn=topic, Token="ab" * 128)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Token", 400)
    with pytest.raises(ClientError) as raised:  # AWS names the token, not the missing topic (recorded)
        sns.confirm_subscription(TopicArn=topic + "-gone", Token="ab" * 128)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Token", 400)


@pytest.mark.parametrize("name", ["RedrivePolicy", "FilterPolicy", "DeliveryPolicy"])
def test_a_policy_that_is_not_json_is_refused_in_the_parsers_words(
    sns: BaseClient, server: ServerProcess, topic: str, name: str
) -> None:
    arn = subscribed(sns, server, topic)
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName=name, AttributeValue="{invalid-json}"
        )
    # AWS's text, recorded in 2025
    assert error_of(raised)[1] == (
        f"Invalid parameter: {name}: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting"
        " double-quote to start field name\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
        " disabled); line: 1, column: 2]"
    )


def test_unsubscribe_is_idempotent_and_checks_the_arn(
    sns: BaseClient, server: ServerProcess, topic: str
) -> None:
    arn = subscribed(sns, server, topic)
    sns.unsubscribe(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)
    with pytest.raises(ClientError) as raised:
        sns.get_subscription_attributes(SubscriptionArn=arn)
    assert error_of(raised) == ("NotFound", "Subscription does not exist", 404)
    with pytest.raises(ClientError) as raised:
        sns.unsubscribe(SubscriptionArn="garbage")
    assert (
        error_of(raised)[1]
        == "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
    )


def test_deleting_a_topic_deletes_its_subscriptions(
    sns: BaseClient, server: ServerProcess, topic: str
) -> None:
    arn = subscribed(sns, server, topic)
    sns.delete_topic(TopicArn=topic)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=arn)


def test_both_list_calls_page_by_100(server: ServerProcess) -> None:
    account = "2" + str(uuid.uuid4().int)[:11]
    sns = sns_client(server.url, aws_access_key_id=account, aws_secret_access_key="x")
    topic = sns.create_topic(Name="many")["TopicArn"]
    arns = sorted(
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{account}:q{n}")[
            "SubscriptionArn"
        ]
        for n in range(103)
    )
    for listing in (
        sns.list_subscriptions,
        lambda **kw: sns.list_subscriptions_by_topic(TopicArn=topic, **kw),
    ):
        first = listing()
        second = listing(NextToken=first["NextToken"])
        assert len(first["Subscriptions"]) == 100 and "NextToken" not in second
        assert [s["SubscriptionArn"] for s in first["Subscriptions"] + second["Subscriptions"]] == arns


def test_subscriptions_survive_a_restart(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data").start() as server:
        sns = sns_client(server.url)
        topic = sns.create_topic(Name="kept")["TopicArn"]
        arn = sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint="arn:aws:sqs:us-east-1:000000000000:q",
            Attributes={"RawMessageDelivery": "true"},
        )["SubscriptionArn"]
    with ServerProcess(tmp_path / "data").start() as server:
        attributes = sns_client(server.url).get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        assert (attributes["TopicArn"], attributes["RawMessageDelivery"]) == (topic, "true")


def test_settings_that_would_poison_a_topic_are_refused(sns: BaseClient, server: ServerProcess) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    with pytest.raises(ClientError) as raised:  # an application subscription needs a platform endpoint
        sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=topic)
    assert error_of(raised)[0] == "InvalidParameter"
    fifo_dlq = queue_arn(server, unique("dlq") + ".fifo")
    with pytest.raises(ClientError) as raised:  # a standard topic has no message group to park it with
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn(server, unique("target")),
            Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": fifo_dlq})},
        )
    assert error_of(raised)[0] == "InvalidParameter"
    assert "standard queue as DLQ" in error_of(raised)[1]
    assert sns.publish(TopicArn=topic, Message="still fine")["MessageId"]


def test_sns_errors_carry_no_detail_element(server: ServerProcess) -> None:
    status, _, body = call(
        server,
        "POST",
        "/",
        b"Action=GetTopicAttributes&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Anope&Version=2010-03-31",
        Content_Type="application/x-www-form-urlencoded",
    )
    assert status == 404
    assert b"<Code>NotFound</Code>" in body
    assert b"Detail" not in body
