"""HTTP/S subscriptions against a real endpoint in the test: the signed SubscriptionConfirmation, confirming by
visiting the SubscribeURL, notifications with AWS's headers, raw delivery, retries on the delivery policy's
schedule (driven by the controllable clock), the dead-letter queue after the last retry, the
UnsubscribeConfirmation, and an outbox that survives kill -9."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.client import BaseClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.http_subscriber import Subscriber
from tests.test_sns_publish import _verify, received
from tests.test_sns_subscriptions import queue_arn
from tests.test_sns_topics import unique


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    with Subscriber() as endpoint:
        yield endpoint


def _subscribe(sns: BaseClient, topic: str, subscriber: Subscriber, **attributes: str) -> str:
    arn: str = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=subscriber.url,
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return arn


def test_an_http_endpoint_confirms_by_visiting_the_subscribe_url_then_gets_notifications(
    sns: BaseClient, subscriber: Subscriber
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    arn = _subscribe(sns, topic, subscriber)
    (confirmation,) = subscriber.wait_for(1)
    assert confirmation.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert confirmation.headers["x-amz-sns-topic-arn"] == topic
    assert "x-amz-sns-subscription-arn" not in confirmation.headers
    document = confirmation.document
    assert list(document) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert document["Message"].startswith(f"You have chosen to subscribe to the topic {topic}.\n")
    _verify_confirmation(document)
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "true"
    assert arn in subscriber.confirm()  # the ConfirmSubscription reply names the subscription
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )

    message_id = sns.publish(TopicArn=topic, Message="hello over http", Subject="hi")["MessageId"]
    notification = subscriber.wait_for(2)[1]
    assert notification.path == "/hook"
    assert notification.headers["x-amz-sns-message-type"] == "Notification"
    assert notification.headers["x-amz-sns-message-id"] == message_id
    assert notification.headers["x-amz-sns-topic-arn"] == topic
    assert notification.headers["x-amz-sns-subscription-arn"] == arn
    assert notification.headers["content-type"] == "text/plain; charset=UTF-8"
    assert notification.headers["user-agent"] == "Amazon Simple Notification Service Agent"
    assert notification.document["Message"] == "hello over http"
    _verify(notification.document)


def _verify_confirmation(document: dict[str, str]) -> None:
    """A confirmation's canonical string has its own fields (SubscribeURL and Token, no Subject)."""
    with urllib.request.urlopen(document["SigningCertURL"]) as reply:
        key = x509.load_pem_x509_certificate(reply.read()).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    canonical = "".join(f"{name}\n{document[name]}\n" for name in names).encode()
    key.verify(base64.b64decode(document["Signature"]), canonical, padding.PKCS1v15(), hashes.SHA1())


def _confirmed(sns: BaseClient, topic: str, subscriber: Subscriber, **attributes: str) -> str:
    arn = _subscribe(sns, topic, subscriber, **attributes)
    subscriber.confirm()
    return arn


def test_raw_delivery_posts_the_bare_message(sns: BaseClient, subscriber: Subscriber) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    _confirmed(sns, topic, subscriber, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="just this")
    notification = subscriber.wait_for(2)[1]
    assert notification.body == "just this"
    assert notification.headers["x-amz-sns-rawdelivery"] == "true"


def test_immediate_retries_deliver_after_two_failures(sns: BaseClient, subscriber: Subscriber) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    policy = {"healthyRetryPolicy": {"numRetries": 2, "numNoDelayRetries": 2}}
    _confirmed(sns, topic, subscriber, DeliveryPolicy=json.dumps(policy))
    subscriber.statuses.extend([500, 503])
    message_id = sns.publish(TopicArn=topic, Message="third time lucky")["MessageId"]
    attempts = subscriber.wait_for(4)[1:]
    assert [a.headers["x-amz-sns-message-id"] for a in attempts] == [message_id] * 3
    time.sleep(0.3)
    assert len(subscriber.received) == 4  # delivered: not sent again


def test_after_the_last_retry_the_message_goes_to_the_dead_letter_queue(
    sns: BaseClient, server: ServerProcess, subscriber: Subscriber
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    dead_name = unique("dlq")
    _confirmed(
        sns,
        topic,
        subscriber,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": queue_arn(server, dead_name)}),
    )
    subscriber.statuses.extend([500] * 10)
    sns.publish(TopicArn=topic, Message="never gets through")
    subscriber.wait_for(2)  # the first attempt
    for attempt in range(3, 6):  # AWS's default: three retries, 20 seconds apart
        time.sleep(0.1)
        assert len(subscriber.received) == attempt - 1  # nothing before its time
        server.advance(20)
        subscriber.wait_for(attempt)
    sqs = sqs_client(server.url, "json")
    deadline = time.monotonic() + 10
    dead_url = f"{server.url}/000000000000/{dead_name}"
    count = "ApproximateNumberOfMessages"
    while sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=[count])["Attributes"][count] == "0":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    (parked,) = received(sqs, dead_url)
    assert json.loads(parked["Body"])["Message"] == "never gets through"
    assert "MessageAttributes" not in parked  # SNS adds none (ErrorCode and friends are Lambda's)


def test_unsubscribing_sends_an_unsubscribe_confirmation(sns: BaseClient, subscriber: Subscriber) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    arn = _confirmed(sns, topic, subscriber)
    sns.unsubscribe(SubscriptionArn=arn)
    goodbye = subscriber.wait_for(2)[1]
    assert goodbye.headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
    assert goodbye.document["Message"].startswith(f"You have chosen to deactivate subscription {arn}.\n")
    _verify_confirmation(goodbye.document)
    with urllib.request.urlopen(goodbye.document["SubscribeURL"]) as reply:  # changed one's mind: restored
        assert arn.encode() in reply.read()
    sns.publish(TopicArn=topic, Message="welcome back")
    assert subscriber.wait_for(3)[2].document["Message"] == "welcome back"


def test_the_outbox_survives_kill_9(tmp_path: Path) -> None:
    policy = {"healthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 1, "maxDelayTarget": 1}}
    with Subscriber() as subscriber:
        first = ServerProcess(tmp_path / "data").start()
        sns = sns_client(first.url)
        topic = sns.create_topic(Name=unique())["TopicArn"]
        _confirmed(sns, topic, subscriber, DeliveryPolicy=json.dumps(policy))
        subscriber.statuses.append(500)
        message_id = sns.publish(TopicArn=topic, Message="survives")["MessageId"]
        subscriber.wait_for(2)  # failed once: the retry waits in the outbox
        first.kill()
        with ServerProcess(tmp_path / "data", port=first.port).start():
            retried = subscriber.wait_for(3)[2]
        assert retried.headers["x-amz-sns-message-id"] == message_id


@pytest.mark.parametrize("status", [404, 429, 301])
def test_a_4xx_or_3xx_answer_is_not_retried(
    sns: BaseClient, server: ServerProcess, subscriber: Subscriber, status: int
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    policy = {"healthyRetryPolicy": {"numRetries": 3, "numNoDelayRetries": 3}}
    _confirmed(sns, topic, subscriber, DeliveryPolicy=json.dumps(policy))
    subscriber.statuses.append(status)
    sns.publish(TopicArn=topic, Message="refused")
    subscriber.wait_for(2)
    server.advance(120)
    time.sleep(0.5)
    assert len(subscriber.received) == 2  # the confirmation and the one attempt
