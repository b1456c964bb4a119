"""Publish and PublishBatch as boto3 drives them: fan-out into SQS queues committed before the 200, AWS's
envelope byte for byte (and signed with the certificate served at SigningCertURL), raw delivery with the
attributes mapped, per-protocol messages, FIFO topics into FIFO queues, failed deliveries into the
subscription's dead-letter queue, and AWS's validation texts."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_sns_subscriptions import queue_arn
from tests.test_sns_topics import error_of, unique


@pytest.fixture
def sqs(server: ServerProcess) -> BaseClient:
    return sqs_client(server.url, "json")


def subscribed_queue(
    sns: BaseClient, server: ServerProcess, topic: str, name: str | None = None, **attributes: str
) -> tuple[str, str]:
    """A new queue subscribed to the topic: (its URL, the subscription ARN)."""
    name = name or unique("q")
    arn = queue_arn(server, name)
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    return f"{server.url}/000000000000/{name}", subscription["SubscriptionArn"]


def received(sqs: BaseClient, url: str, count: int = 1) -> list[dict[str, Any]]:
    """Exactly what is in the queue now (no waiting: a publish's 200 means it is there)."""
    messages: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            VisibilityTimeout=30,
        ).get("Messages", [])
        if not got:
            break
        messages += got
    assert len(messages) == count, messages
    return messages


def test_a_publish_is_in_every_subscribed_queue_when_it_answers(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    urls = [subscribed_queue(sns, server, topic)[0] for _ in range(3)]
    message_id = sns.publish(TopicArn=topic, Message="hello")["MessageId"]
    for url in urls:
        (message,) = received(sqs, url)
        envelope = json.loads(message["Body"])
        assert envelope["MessageId"] == message_id and envelope["Message"] == "hello"
        assert message["Attributes"]["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"
        assert "MessageAttributes" not in message  # the envelope carries them, not SQS


def test_the_envelope_is_laid_out_as_aws_lays_it_out(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    url, subscription = subscribed_queue(sns, server, topic)
    message_id = sns.publish(
        TopicArn=topic,
        Message='say "hi"',
        Subject="greeting",
        MessageAttributes={
            "n": {"DataType": "Number", "StringValue": "99.12"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
        },
    )["MessageId"]
    body = received(sqs, url)[0]["Body"]
    envelope = json.loads(body)
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
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "' + message_id + '",\n')
    assert body.endswith(
        '  "MessageAttributes" : {\n'
        '    "n" : {"Type":"Number","Value":"99.12"},\n'
        '    "b" : {"Type":"Binary","Value":"AgME"}\n'
        "  }\n}"
    )
    assert envelope["Subject"] == "greeting" and envelope["Message"] == 'say "hi"'
    assert envelope["SignatureVersion"] == "1"
    assert envelope["Timestamp"].endswith("Z") and len(envelope["Timestamp"]) == len(
        "2026-01-01T00:00:00.000Z"
    )
    assert envelope["UnsubscribeURL"] == f"{server.url}/?Action=Unsubscribe&SubscriptionArn={subscription}"


def _verify(envelope: dict[str, Any]) -> None:
    """As AWS's documentation tells a subscriber to: fetch the certificate, check the canonical string."""
    with urllib.request.urlopen(envelope["SigningCertURL"]) as reply:
        certificate = x509.load_pem_x509_certificate(reply.read())
    names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    canonical = "".join(f"{name}\n{envelope[name]}\n" for name in names if name in envelope).encode()
    digest = hashes.SHA1() if envelope["SignatureVersion"] == "1" else hashes.SHA256()
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(envelope["Signature"]), canonical, padding.PKCS1v15(), digest)


@pytest.mark.parametrize("version", ["1", "2"])
def test_notifications_are_signed_with_the_served_certificate(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess, version: str
) -> None:
    topic = sns.create_topic(Name=unique(), Attributes={"SignatureVersion": version})["TopicArn"]
    url, _ = subscribed_queue(sns, server, topic)
    sns.publish(TopicArn=topic, Message="signed", Subject="s")
    sns.publish(TopicArn=topic, Message="no subject")
    for message in received(sqs, url, 2):
        envelope = json.loads(message["Body"])
        assert envelope["SignatureVersion"] == version
        _verify(envelope)
        forged = dict(envelope, Message="forged")
        with pytest.raises(InvalidSignature):
            _verify(forged)


def test_a_certificate_this_server_did_not_make_is_not_found(server: ServerProcess) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.url}/SimpleNotificationService-0123456789abcdef.pem")
    assert raised.value.code == 404
    raised.value.close()


def test_raw_delivery_sends_the_message_and_its_attributes_as_sqs_attributes(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    url, _ = subscribed_queue(sns, server, topic, RawMessageDelivery="true")
    sns.publish(
        TopicArn=topic,
        Message="raw body",
        Subject="dropped",
        MessageAttributes={
            "country": {"DataType": "String", "StringValue": "DE"},
            "price": {"DataType": "Number", "StringValue": "10"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            "tags": {"DataType": "String.Array", "StringValue": '["a", 1]'},
        },
    )
    (message,) = received(sqs, url)
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"] == {
        "country": {"DataType": "String", "StringValue": "DE"},
        "price": {"DataType": "Number", "StringValue": "10"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        "tags": {"DataType": "String.Array", "StringValue": '["a", 1]'},
    }
    assert message["MD5OfBody"] == hashlib.md5(b"raw body").hexdigest()


def test_message_structure_json_gives_sqs_its_own_message(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    envelope_url, _ = subscribed_queue(sns, server, topic)
    raw_url, _ = subscribed_queue(sns, server, topic, RawMessageDelivery="true")
    structure = {"default": "for everyone", "sqs": "for queues", "email": "for mail", "http": 5}
    sns.publish(TopicArn=topic, Message=json.dumps(structure), MessageStructure="json")
    assert json.loads(received(sqs, envelope_url)[0]["Body"])["Message"] == "for queues"
    assert received(sqs, raw_url)[0]["Body"] == "for queues"
    only_default = {"default": "for everyone", "email": "for mail"}
    sns.publish(TopicArn=topic, Message=json.dumps(only_default), MessageStructure="json")
    assert received(sqs, raw_url)[0]["Body"] == "for everyone"


def test_publish_batch_delivers_every_entry_in_order(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    url, _ = subscribed_queue(sns, server, topic, RawMessageDelivery="true")
    entries = [{"Id": f"e{n}", "Message": f"m{n}"} for n in range(10)]
    reply = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert [entry["Id"] for entry in reply["Successful"]] == [f"e{n}" for n in range(10)]
    assert len({entry["MessageId"] for entry in reply["Successful"]}) == 10
    assert reply["Failed"] == []
    assert sorted(m["Body"] for m in received(sqs, url, 10)) == sorted(f"m{n}" for n in range(10))


def test_a_fifo_topic_feeds_a_fifo_queue_in_order_with_its_ids(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(
        Name=unique() + ".fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    )["TopicArn"]
    url, _ = subscribed_queue(sns, server, topic, name=unique("q") + ".fifo")
    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g", MessageDeduplicationId="d1")
    second = sns.publish(TopicArn=topic, Message="two", MessageGroupId="g")
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    batch = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "three", "MessageGroupId": "g"},
            {"Id": "b", "Message": "four", "MessageGroupId": "g"},
        ],
    )
    assert all("SequenceNumber" in entry for entry in batch["Successful"])
    messages = []
    for _ in range(4):  # one at a time: the group is locked while one is in flight
        (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.append(message)
    envelopes = [json.loads(m["Body"]) for m in messages]
    assert [e["Message"] for e in envelopes] == ["one", "two", "three", "four"]
    assert list(envelopes[0]) == [
        "Type",
        "MessageId",
        "SequenceNumber",
        "TopicArn",
        "Message",
        "Timestamp",
        "UnsubscribeURL",
    ]
    assert envelopes[0]["SequenceNumber"] == first["SequenceNumber"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "d1"
    assert messages[1]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"two").hexdigest()


def test_a_group_id_on_a_standard_topic_reaches_a_standard_queue(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    url, _ = subscribed_queue(sns, server, topic, RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="fair", MessageGroupId="tenant-1")
    assert received(sqs, url)[0]["Attributes"]["MessageGroupId"] == "tenant-1"


def test_a_deleted_queue_is_a_failed_delivery_that_goes_to_the_dead_letter_queue(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    dead_name = unique("dlq")
    dead_arn = queue_arn(server, dead_name)
    gone_url, _ = subscribed_queue(
        sns, server, topic, RedrivePolicy=json.dumps({"deadLetterTargetArn": dead_arn})
    )
    alive_url, _ = subscribed_queue(sns, server, topic)
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="undeliverable")  # still a 200: the publish did not fail
    assert json.loads(received(sqs, alive_url)[0]["Body"])["Message"] == "undeliverable"
    (parked,) = received(sqs, f"{server.url}/000000000000/{dead_name}")
    assert json.loads(parked["Body"])["Message"] == "undeliverable"  # the envelope, as SNS parks it
    assert "MessageAttributes" not in parked  # SNS adds none (ErrorCode and friends are Lambda's)


def test_a_raw_subscriptions_dead_letter_copy_keeps_its_attributes(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    dead_name = unique("dlq")
    policy = json.dumps({"deadLetterTargetArn": queue_arn(server, dead_name)})
    gone_url, _ = subscribed_queue(sns, server, topic, RedrivePolicy=policy, RawMessageDelivery="true")
    sqs.delete_queue(QueueUrl=gone_url)
    colour = {"colour": {"DataType": "String", "StringValue": "blue"}}
    sns.publish(TopicArn=topic, Message="raw and parked", MessageAttributes=colour)
    (parked,) = received(sqs, f"{server.url}/000000000000/{dead_name}")
    assert parked["Body"] == "raw and parked"
    assert {k: v["StringValue"] for k, v in parked["MessageAttributes"].items()} == {"colour": "blue"}


def test_a_publish_trace_header_becomes_the_aws_trace_header(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    url, _ = subscribed_queue(sns, server, topic)
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sns.meta.events.register_first(
        "before-sign.sns.Publish", lambda request, **_: request.headers.__setitem__("X-Amzn-Trace-Id", trace)
    )
    sns.publish(TopicArn=topic, Message="traced")
    (message,) = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"]
    assert message["Attributes"]["AWSTraceHeader"] == trace


def test_pending_subscriptions_get_nothing_and_no_subscriber_is_fine(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@example.com")
    assert sns.publish(TopicArn=topic, Message="to nobody yet")["MessageId"]


def test_a_phone_number_is_published_to_directly(sns: BaseClient) -> None:
    assert sns.publish(PhoneNumber="+15555550100", Message="code 1234")["MessageId"]
    with pytest.raises(ClientError) as raised:
        sns.publish(PhoneNumber="555", Message="x")
    reason = "Invalid parameter: PhoneNumber Reason: 555 is not valid to publish to"
    assert error_of(raised)[:2] == ("InvalidParameter", reason)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            {"Message": "m"},
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
        ),
        ({"Message": ""}, "Invalid parameter: Empty message"),
        ({"Message": "m", "Subject": ""}, "Invalid parameter: Subject"),
        ({"Message": "m", "Subject": "two\nlines"}, "Invalid parameter: Subject"),
        ({"Message": "x" * 262_145}, "Invalid parameter: Message too long"),
        (
            {"Message": "not json", "MessageStructure": "json"},
            "Invalid parameter: Message Structure - JSON message body failed to parse",
        ),
        (
            {"Message": '{"sqs": "only"}', "MessageStructure": "json"},
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
        (
            {"Message": "m", "MessageDeduplicationId": "d"},
            "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId"
            " parameter that is not valid for this topic type",
        ),
        (
            {"Message": "m", "TargetArn": "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/x"},
            "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified",
        ),
    ],
)
def test_publish_validation_answers_in_aws_words(
    sns: BaseClient, call: dict[str, str], expected: str
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    if "TargetArn" not in call and call != {"Message": "m"}:
        call = {"TopicArn": topic, **call}
    with pytest.raises(ClientError) as raised:
        sns.publish(**call)
    assert error_of(raised)[:2] == ("InvalidParameter", expected)


def test_publishing_to_a_missing_topic_is_not_found(sns: BaseClient) -> None:
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn="arn:aws:sns:us-east-1:000000000000:nothing-here", Message="m")
    assert error_of(raised)[:2] == ("NotFound", "Topic does not exist")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    ("attribute", "code", "expected"),
    [
        (
            {"DataType": "String", "StringValue": ""},
            "ParameterValueInvalid",
            "The message attribute 'a' must contain non-empty message attribute value for message attribute"
            " type 'String'.",
        ),
        (
            {"DataType": "String", "BinaryValue": b"x"},
            "ParameterValueInvalid",
            "The message attribute 'a' with type 'String' must use field 'String'.",
        ),
        (
            {"DataType": "Binary", "StringValue": "x"},
            "ParameterValueInvalid",
            "The message attribute 'a' with type 'Binary' must use field 'Binary'.",
        ),
        (
            {"DataType": "Blob", "StringValue": "x"},
            "ParameterValueInvalid",
            "The message attribute 'a' has an invalid message attribute type, the set of supported type"
            " prefixes is Binary, Number, and String.",
        ),
        (
            {"DataType": "Number", "StringValue": "twelve"},
            "ParameterValueInvalid",
            "Could not cast message attribute 'a' value to number.",
        ),
        # AWS's Number holds 38 digits between 10^-128 and 10^126
        (
            {"DataType": "Number", "StringValue": "1e400"},
            "ParameterValueInvalid",
            "Could not cast message attribute 'a' value to number.",
        ),
        (
            {"DataType": "Number", "StringValue": "1e-129"},
            "ParameterValueInvalid",
            "Could not cast message attribute 'a' value to number.",
        ),
        (
            {"DataType": "Number", "StringValue": "9" * 39},
            "ParameterValueInvalid",
            "Could not cast message attribute 'a' value to number.",
        ),
    ],
)
def test_message_attribute_errors_are_aws_words(
    sns: BaseClient, attribute: dict[str, Any], code: str, expected: str
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn=topic, Message="m", MessageAttributes={"a": attribute})
    assert error_of(raised)[:2] == (code, expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "a^b",
            "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only"
            " include alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (".a", "Invalid message attribute name starting with character '.' was found."),
        ("a.", "Invalid message attribute name ending with character '.' was found."),
        ("a..b", "Message attribute name can not have successive '.' character."),
        ("a" * 256, "Length of message attribute name must be less than 256 bytes."),
    ],
)
def test_message_attribute_names_follow_sns_rules(sns: BaseClient, name: str, expected: str) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    with pytest.raises(ClientError) as raised:
        sns.publish(
            TopicArn=topic, Message="m", MessageAttributes={name: {"DataType": "String", "StringValue": "v"}}
        )
    assert error_of(raised)[:2] == ("ParameterValueInvalid", expected)


def test_fifo_topics_need_a_group_and_a_deduplication_id(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique() + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn=topic, Message="m")
    assert (
        error_of(raised)[1] == "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    )
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    assert error_of(raised)[1] == (
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or"
        " MessageDeduplicationId provided explicitly"
    )


def test_publish_batch_refuses_bad_batches_whole(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    cases: list[tuple[list[dict[str, Any]], tuple[str, str]]] = [
        (
            [{"Id": str(n), "Message": "m"} for n in range(11)],
            ("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible."),
        ),
        (
            [{"Id": "same", "Message": "m"}, {"Id": "same", "Message": "m"}],
            ("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."),
        ),
        (
            [{"Id": "no spaces", "Message": "m"}],
            (
                "InvalidBatchEntryId",
                "The Id of a batch entry in a batch request contains an impermissible character: no spaces",
            ),
        ),
        (
            [{"Id": "a", "Message": "x" * 200_000}, {"Id": "b", "Message": "x" * 200_000}],
            ("BatchRequestTooLong", "The length of all the messages put together is more than the limit."),
        ),
        ([{"Id": "a", "Message": ""}], ("InvalidParameter", "Invalid parameter: Empty message")),
    ]
    for entries, expected in cases:
        with pytest.raises(ClientError) as raised:
            sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        assert error_of(raised)[:2] == expected
    with pytest.raises(ClientError) as raised:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[])
    assert error_of(raised)[0] == "EmptyBatchRequest"


def _fifo_topic(sns: BaseClient, **attributes: str) -> str:
    arn: str = sns.create_topic(
        Name=unique() + ".fifo",
        Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true", **attributes},
    )["TopicArn"]
    return arn


def test_a_fifo_topic_answers_a_duplicate_with_the_first_publish_and_delivers_it_once(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = _fifo_topic(sns)
    url, _ = subscribed_queue(sns, server, topic, name=unique("q") + ".fifo", RawMessageDelivery="true")
    first = sns.publish(TopicArn=topic, Message="m", MessageGroupId="g", MessageDeduplicationId="d")
    again = sns.publish(TopicArn=topic, Message="other body", MessageGroupId="g", MessageDeduplicationId="d")
    assert (again["MessageId"], again["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"])
    by_content = sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
    assert (
        sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")["MessageId"]
        == by_content["MessageId"]
    )
    batch = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "in batch", "MessageGroupId": "g"},
            {"Id": "b", "Message": "in batch", "MessageGroupId": "g"},
        ],
    )["Successful"]
    assert batch[0]["MessageId"] == batch[1]["MessageId"]
    assert sorted(m["Body"] for m in received(sqs, url, 3)) == ["in batch", "m", "same body"]


def test_fifo_topic_deduplication_per_message_group_and_for_five_minutes(
    sns: BaseClient, sqs: BaseClient, server: ServerProcess
) -> None:
    topic = _fifo_topic(sns, FifoThroughputScope="MessageGroup")
    name = unique("q") + ".fifo"
    sqs.create_queue(
        QueueName=name,
        Attributes={
            "FifoQueue": "true",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        },
    )
    url, _ = subscribed_queue(sns, server, topic, name=name, RawMessageDelivery="true")
    one = sns.publish(TopicArn=topic, Message="x", MessageGroupId="g1", MessageDeduplicationId="d")
    two = sns.publish(TopicArn=topic, Message="x", MessageGroupId="g2", MessageDeduplicationId="d")
    assert one["MessageId"] != two["MessageId"]  # another group: not a duplicate
    server.advance(301)
    three = sns.publish(TopicArn=topic, Message="x", MessageGroupId="g1", MessageDeduplicationId="d")
    assert three["MessageId"] != one["MessageId"]  # the window has passed
    assert len(received(sqs, url, 3)) == 3


def test_fifo_topic_deduplication_survives_a_restart(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data").start() as first:
        sns = sns_client(first.url)
        topic = _fifo_topic(sns)
        published = sns.publish(TopicArn=topic, Message="once", MessageGroupId="g")
    with ServerProcess(tmp_path / "data", port=first.port).start() as second:
        again = sns_client(second.url).publish(TopicArn=topic, Message="once", MessageGroupId="g")
    assert again["MessageId"] == published["MessageId"]


def test_sns_unsigned_gives_a_placeholder_signature(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data", "--sns-unsigned").start() as unsigned:
        sns = sns_client(unsigned.url)
        topic = sns.create_topic(Name=unique())["TopicArn"]
        url, _ = subscribed_queue(sns, unsigned, topic)
        sns.publish(TopicArn=topic, Message="fast")
        envelope = json.loads(received(sqs_client(unsigned.url, "json"), url)[0]["Body"])
    assert envelope["Signature"] == base64.b64encode(bytes(128)).decode()
    assert envelope["SignatureVersion"] == "1" and envelope["SigningCertURL"].endswith(".pem")


def test_publish_input_aws_refuses_is_refused(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    fifo = sns.create_topic(Name=unique() + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    refused: list[tuple[str, dict[str, Any]]] = [
        (topic, {"Message": "bell \x01"}),
        (topic, {"Message": "not a character \ufffe"}),
        (topic, {"Message": "{}", "MessageStructure": "xml"}),
        (fifo, {"Message": "m", "MessageGroupId": "g" * 129, "MessageDeduplicationId": "d"}),
        (fifo, {"Message": "m", "MessageGroupId": "with space", "MessageDeduplicationId": "d"}),
        (fifo, {"Message": "m", "MessageGroupId": "é", "MessageDeduplicationId": "d"}),
        (fifo, {"Message": "m", "MessageGroupId": "g", "MessageDeduplicationId": "tab\t"}),
    ]
    for arn, request in refused:
        with pytest.raises(ClientError) as raised:
            sns.publish(TopicArn=arn, **request)
        assert error_of(raised)[0] == "InvalidParameter", request
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + "a" * 96
    assert sns.publish(TopicArn=fifo, Message="m", MessageGroupId=punctuation, MessageDeduplicationId="d-1")


def test_an_sms_subscription_is_confirmed_at_once_and_gets_publishes(
    sns: BaseClient, server: ServerProcess
) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550123", ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )
    sns.publish(TopicArn=topic, Message="texted")
    _, recorded = server.admin("GET", "/admin/sns/messages?protocol=sms")
    assert [m["Payload"] for m in recorded["messages"] if m["SubscriptionArn"] == arn] == ["texted"]
