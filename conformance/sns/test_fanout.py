"""Publishing into SQS queues as consumers see it: the envelope they parse and verify, raw delivery,
per-protocol messages, filter policies, batches and FIFO topics."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conformance.conftest import error_of
from conformance.sns.conftest import receive

pytestmark = pytest.mark.client("boto3")
Topic = Callable[..., str]
Queue = Callable[..., tuple[str, str]]


def _verify(envelope: dict[str, Any]) -> None:
    with urllib.request.urlopen(envelope["SigningCertURL"], timeout=10) as reply:
        key = x509.load_pem_x509_certificate(reply.read()).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    canonical = "".join(f"{name}\n{envelope[name]}\n" for name in names if name in envelope).encode()
    digest = hashes.SHA1() if envelope["SignatureVersion"] == "1" else hashes.SHA256()
    key.verify(base64.b64decode(envelope["Signature"]), canonical, padding.PKCS1v15(), digest)


def test_envelope(sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue) -> None:
    """A queue gets the Notification envelope, keys in AWS's order"""
    topic = make_topic()
    url, subscription = subscribed_queue(topic)
    attributes = {"n": {"DataType": "Number", "StringValue": "7"}}
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="s", MessageAttributes=attributes)[
        "MessageId"
    ]
    (message,) = receive(queues, url, 1)
    envelope = json.loads(message["Body"])
    assert list(envelope) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert (envelope["Type"], envelope["MessageId"], envelope["TopicArn"]) == (
        "Notification",
        message_id,
        topic,
    )
    assert envelope["MessageAttributes"] == {"n": {"Type": "Number", "Value": "7"}}
    assert envelope["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={subscription}")
    assert envelope["Timestamp"].endswith("Z")


def test_signature(sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue) -> None:
    """The envelope's signature verifies with the certificate at its SigningCertURL"""
    topic = make_topic()
    url, _ = subscribed_queue(topic)
    sns.publish(TopicArn=topic, Message="signed", Subject="subject")
    _verify(json.loads(receive(queues, url, 1)[0]["Body"]))


def test_raw_delivery(
    sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue
) -> None:
    """Raw delivery puts the bare message in the queue, its attributes as SQS attributes"""
    topic = make_topic()
    url, _ = subscribed_queue(topic, RawMessageDelivery="true")
    attributes = {
        "s": {"DataType": "String", "StringValue": "v"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
    }
    sns.publish(TopicArn=topic, Message="bare", MessageAttributes=attributes)
    (message,) = receive(queues, url, 1)
    assert message["Body"] == "bare"
    assert message["MessageAttributes"] == {
        "s": {"DataType": "String", "StringValue": "v"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
    }


def test_message_structure(
    sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue
) -> None:
    """MessageStructure=json gives a queue the message under `sqs`"""
    topic = make_topic()
    url, _ = subscribed_queue(topic, RawMessageDelivery="true")
    sns.publish(
        TopicArn=topic, Message=json.dumps({"default": "d", "sqs": "for queues"}), MessageStructure="json"
    )
    assert receive(queues, url, 1)[0]["Body"] == "for queues"


def test_filter_on_attributes(
    sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue
) -> None:
    """A filter policy routes by an attribute (exact values, anything-but, numeric range)"""
    topic = make_topic()
    germany, _ = subscribed_queue(
        topic, RawMessageDelivery="true", FilterPolicy=json.dumps({"country": ["DE"]})
    )
    others, _ = subscribed_queue(
        topic, RawMessageDelivery="true", FilterPolicy=json.dumps({"country": [{"anything-but": "DE"}]})
    )
    big, _ = subscribed_queue(
        topic, RawMessageDelivery="true", FilterPolicy=json.dumps({"amount": [{"numeric": [">=", 100]}]})
    )
    for name, country, amount in (("a", "DE", 5), ("b", "FR", 500), ("c", "DE", 100)):
        sns.publish(
            TopicArn=topic,
            Message=name,
            MessageAttributes={
                "country": {"DataType": "String", "StringValue": country},
                "amount": {"DataType": "Number", "StringValue": str(amount)},
            },
        )
    assert sorted(m["Body"] for m in receive(queues, germany, 2)) == ["a", "c"]
    assert [m["Body"] for m in receive(queues, others, 1)] == ["b"]
    assert sorted(m["Body"] for m in receive(queues, big, 2)) == ["b", "c"]


def test_filter_on_body(
    sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue
) -> None:
    """A MessageBody-scoped filter policy reads nested JSON fields"""
    topic = make_topic()
    url, _ = subscribed_queue(
        topic,
        RawMessageDelivery="true",
        FilterPolicy=json.dumps({"order": {"country": ["DE"]}}),
        FilterPolicyScope="MessageBody",
    )
    for country in ("FR", "DE"):
        sns.publish(TopicArn=topic, Message=json.dumps({"order": {"country": country}}))
    assert [json.loads(m["Body"])["order"]["country"] for m in receive(queues, url, 1)] == ["DE"]


def test_publish_batch(
    sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue
) -> None:
    """PublishBatch delivers every entry and answers each Id"""
    topic = make_topic()
    url, _ = subscribed_queue(topic, RawMessageDelivery="true")
    entries = [{"Id": f"e{n}", "Message": f"m{n}"} for n in range(3)]
    reply = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert sorted(e["Id"] for e in reply["Successful"]) == ["e0", "e1", "e2"]
    assert sorted(m["Body"] for m in receive(queues, url, 3)) == ["m0", "m1", "m2"]


def test_publish_batch_duplicate_ids(sns: BaseClient, make_topic: Topic) -> None:
    """PublishBatch with a repeated Id is BatchEntryIdsNotDistinct (400)"""
    topic = make_topic()
    with pytest.raises(ClientError) as excinfo:
        sns.publish_batch(
            TopicArn=topic,
            PublishBatchRequestEntries=[{"Id": "x", "Message": "1"}, {"Id": "x", "Message": "2"}],
        )
    assert error_of(excinfo) == ("BatchEntryIdsNotDistinct", 400)


def test_empty_message(sns: BaseClient, make_topic: Topic) -> None:
    """Publish of an empty message is InvalidParameter (400)"""
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=make_topic(), Message="")
    assert error_of(excinfo) == ("InvalidParameter", 400)


def test_bad_attribute_type(sns: BaseClient, make_topic: Topic) -> None:
    """A message attribute of type Blob is ParameterValueInvalid (400)"""
    with pytest.raises(ClientError) as excinfo:
        sns.publish(
            TopicArn=make_topic(),
            Message="m",
            MessageAttributes={"a": {"DataType": "Blob", "StringValue": "x"}},
        )
    assert error_of(excinfo) == ("ParameterValueInvalid", 400)


def test_fifo_topic(sns: BaseClient, queues: BaseClient, make_topic: Topic, subscribed_queue: Queue) -> None:
    """A FIFO topic feeds a FIFO queue in order and answers a duplicate with the first MessageId"""
    topic = make_topic(fifo=True, ContentBasedDeduplication="true")
    url, _ = subscribed_queue(topic, fifo=True, RawMessageDelivery="true")
    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g")
    assert sns.publish(TopicArn=topic, Message="one", MessageGroupId="g")["MessageId"] == first["MessageId"]
    sns.publish(TopicArn=topic, Message="two", MessageGroupId="g")
    sns.publish(TopicArn=topic, Message="three", MessageGroupId="g")
    bodies = []
    for _ in range(3):
        (message,) = queues.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        queues.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        bodies.append(message["Body"])
    assert bodies == ["one", "two", "three"]


def test_fifo_topic_needs_group(sns: BaseClient, make_topic: Topic) -> None:
    """Publish to a FIFO topic without MessageGroupId is InvalidParameter (400)"""
    with pytest.raises(ClientError) as excinfo:
        sns.publish(TopicArn=make_topic(fifo=True, ContentBasedDeduplication="true"), Message="m")
    assert error_of(excinfo) == ("InvalidParameter", 400)
