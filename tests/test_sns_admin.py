"""SNS's admin routes and LocalStack's aliases: topics, subscriptions with their tokens, HTTP delivery
attempts (a refused metadata address among them), and what went to e-mail, Lambda and phone numbers."""

from __future__ import annotations

import json
import time
import urllib.parse

from botocore.client import BaseClient

from tests.harness import ServerProcess
from tests.http_subscriber import Subscriber
from tests.test_sns_topics import unique


def test_topics_and_subscriptions_are_listed_with_confirmation_tokens(
    sns: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    arn = sns.subscribe(
        TopicArn=topic, Protocol="email", Endpoint="a@example.com", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    status, body = server.admin("GET", "/admin/sns/topics")
    assert status == 200
    (listed,) = [t for t in body["topics"] if t["arn"] == topic]
    assert listed["attributes"]["SubscriptionsPending"] == "1"
    status, body = server.admin(
        "GET", "/admin/sns/subscriptions?" + urllib.parse.urlencode({"topic_arn": topic})
    )
    (subscription,) = body["subscriptions"]
    assert subscription["arn"] == arn and subscription["pending_confirmation"] is True
    token = subscription["token"]
    status, body = server.admin("GET", f"/_aws/sns/subscription-tokens/{arn}")
    assert (status, body) == (200, {"subscription_token": token, "subscription_arn": arn})
    sns.confirm_subscription(TopicArn=topic, Token=token)
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )
    assert server.admin("GET", f"/_aws/sns/subscription-tokens/{topic}:nope")[0] == 404


def test_lambda_and_email_json_deliveries_are_recorded_with_their_payloads(
    sns: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    function = f"arn:aws:lambda:us-east-1:000000000000:function:{unique('f')}"
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)["SubscriptionArn"]
    message_id = sns.publish(
        TopicArn=topic,
        Message="to a function",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}},
    )["MessageId"]
    _, body = server.admin("GET", "/admin/sns/messages?protocol=lambda")
    (recorded,) = [m for m in body["messages"] if m["Endpoint"] == function]
    (record,) = json.loads(recorded["Payload"])["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == subscription
    assert record["Sns"]["MessageId"] == message_id and record["Sns"]["Subject"] is None
    assert record["Sns"]["MessageAttributes"] == {"a": {"Type": "String", "Value": "v"}}
    assert record["Sns"]["SigningCertUrl"].endswith(".pem") and record["Sns"]["Signature"]


def test_sms_messages_show_under_localstacks_route(sns: BaseClient, server: ServerProcess) -> None:
    sns.publish(PhoneNumber="+15555550123", Message="your code is 42")
    status, body = server.admin("GET", "/_aws/sns/sms-messages?phoneNumber=%2B15555550123")
    assert status == 200
    assert [m["Message"] for m in body["sms_messages"]["+15555550123"]][-1] == "your code is 42"


def test_http_attempts_are_logged_and_metadata_addresses_are_refused(
    sns: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    with Subscriber() as subscriber:
        arn = sns.subscribe(
            TopicArn=topic, Protocol="http", Endpoint=subscriber.url, ReturnSubscriptionArn=True
        )["SubscriptionArn"]
        subscriber.wait_for(1)
        _, body = server.admin("GET", f"/admin/sns/subscriptions/{arn}/deliveries")
        assert body["attempts"][0]["Type"] == "SubscriptionConfirmation"
        assert body["attempts"][0]["Status"] == 200 and body["attempts"][0]["Delivered"] is True
    metadata = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint="http://169.254.169.254/latest/meta-data",
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    deadline = time.monotonic() + 10
    while True:
        _, body = server.admin("GET", f"/admin/sns/subscriptions/{metadata}/deliveries")
        if body["attempts"]:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert body["attempts"][0]["Status"] is None
    assert "metadata" in body["attempts"][0]["Problem"]
    _, outbox = server.admin("GET", "/admin/sns/outbox")
    assert any(d["subscription_arn"] == metadata for d in outbox["deliveries"])  # waiting for its retry
