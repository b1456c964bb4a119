"""Queue operations, over both SQS protocols, against a live server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import sqs_client
from tests.conftest import error_of
from tests.harness import ServerProcess

FRESH_STANDARD_ATTRIBUTES = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "DelaySeconds",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
}


def test_create_returns_url_on_the_request_host(
    sqs: BaseClient, server: ServerProcess, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{server.url}/000000000000/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url


def test_queue_url_resolves_by_path_only(sqs: BaseClient, queue_url: str) -> None:
    other_host = queue_url.replace("127.0.0.1", "some-container-name")
    sqs.send_message(QueueUrl=other_host, MessageBody="hello")
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "hello"


def test_create_is_idempotent_with_same_or_no_attributes(
    sqs: BaseClient, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "0"})["QueueUrl"] == url


def test_create_with_different_attribute_fails(sqs: BaseClient, unique_name: Callable[[str], str]) -> None:
    name = unique_name("q")
    sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "40"})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "41"})
    error = error_of(excinfo)
    assert error["Code"] == "QueueAlreadyExists"
    assert error["Status"] == 400
    assert "VisibilityTimeout" in str(error["Message"])
    assert excinfo.type is sqs.exceptions.QueueNameExists


def test_create_compares_with_values_set_later(sqs: BaseClient, unique_name: Callable[[str], str]) -> None:
    name = unique_name("q")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    assert sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "5"})["QueueUrl"] == url
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "0"})


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "MissingParameter"),
        ("has space", "InvalidParameterValue"),
        ("x" * 81, "InvalidParameterValue"),
        ("dots.are.bad", "InvalidParameterValue"),
        ("ünï", "InvalidParameterValue"),
    ],
)
def test_invalid_queue_names(sqs: BaseClient, name: str, code: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name)
    assert error_of(excinfo)["Code"] == code
    assert error_of(excinfo)["Status"] == 400


def test_fresh_queue_attributes(sqs: BaseClient, queue_url: str) -> None:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert set(attributes) == FRESH_STANDARD_ATTRIBUTES
    assert attributes["VisibilityTimeout"] == "30"
    assert attributes["MaximumMessageSize"] == "1048576"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:" + queue_url.rsplit("/", 1)[1]
    assert attributes["CreatedTimestamp"].isdigit() and len(attributes["CreatedTimestamp"]) == 10


def test_get_attributes_selection(sqs: BaseClient, queue_url: str) -> None:
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue_url)
    picked = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["DelaySeconds", "Policy"])
    assert picked["Attributes"] == {"DelaySeconds": "0"}


def test_get_unknown_attribute_fails(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Foobar"])
    assert error_of(excinfo)["Code"] == "InvalidAttributeName"
    assert error_of(excinfo)["Message"] == "Unknown Attribute Foobar."


def test_set_attributes_and_last_modified(sqs: BaseClient, queue_url: str, server: ServerProcess) -> None:
    before = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["LastModifiedTimestamp"])
    server.advance(5)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "120", "DelaySeconds": "3"})
    after = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert after["VisibilityTimeout"] == "120"
    assert after["DelaySeconds"] == "3"
    assert int(after["LastModifiedTimestamp"]) >= int(before["Attributes"]["LastModifiedTimestamp"]) + 5


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("VisibilityTimeout", "43201", "InvalidAttributeValue"),
        ("DelaySeconds", "-1", "InvalidAttributeValue"),
        ("MaximumMessageSize", "1023", "InvalidAttributeValue"),
        ("MessageRetentionPeriod", "59", "InvalidAttributeValue"),
        ("ReceiveMessageWaitTimeSeconds", "21", "InvalidAttributeValue"),
        ("VisibilityTimeout", "abc", "InvalidAttributeValue"),
        ("Foobar", "1", "InvalidAttributeName"),
        ("QueueArn", "x", "InvalidAttributeName"),
        ("FifoQueue", "true", "InvalidAttributeName"),
        ("ContentBasedDeduplication", "true", "InvalidAttributeName"),
        ("DeduplicationScope", "queue", "InvalidAttributeName"),
        ("Policy", "not json", "InvalidParameterValue"),
        ("RedrivePolicy", '{"maxReceiveCount": 5}', "InvalidParameterValue"),
    ],
)
def test_set_invalid_attribute(sqs: BaseClient, queue_url: str, name: str, value: str, code: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={name: value})
    assert error_of(excinfo)["Code"] == code
    assert error_of(excinfo)["Status"] == 400


def test_redrive_policy_validation(sqs: BaseClient, make_queue: Callable[..., str]) -> None:
    dlq = make_queue()
    source = make_queue()
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for count in (0, 1001):
        with pytest.raises(ClientError) as excinfo:
            policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count})
            sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
        assert "maxReceiveCount" in str(error_of(excinfo)["Message"])
    missing = json.dumps({"deadLetterTargetArn": dlq_arn + "-gone", "maxReceiveCount": 3})
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": missing})
    # The policy is quoted as sent; a target that is no SQS ARN at all is refused before any lookup.
    assert error_of(excinfo)["Message"] == (
        f"Value {missing} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist."
    )
    dummy = json.dumps({"deadLetterTargetArn": "dummy", "maxReceiveCount": 42})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=source.rsplit("/", 1)[1] + "-x", Attributes={"RedrivePolicy": dummy})
    assert error_of(excinfo)["Message"] == (
        f"Value {dummy} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."
    )
    good = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": good})
    stored = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(stored["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])


def test_server_side_encryption_kinds_exclude_each_other(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(
            QueueUrl=queue_url, Attributes={"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}
        )
    assert error_of(excinfo)["Code"] == "InvalidAttributeName"
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attributes["SqsManagedSseEnabled"] == "false"


def test_delete_queue(sqs: BaseClient, queue_url: str) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    sqs.delete_queue(QueueUrl=queue_url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.delete_queue(QueueUrl=queue_url)


def test_unknown_queue_error_in_both_styles(sqs: BaseClient, protocol: str) -> None:
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="does-not-exist-anywhere")
    error = error_of(excinfo)
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error["Status"] == 400
    expected = "The specified queue does not exist."
    if protocol == "query":
        expected = "The specified queue does not exist for this wsdl version."
    assert error["Message"] == expected


def test_list_queues_prefix_and_pages(
    sqs: BaseClient, unique_name: Callable[[str], str], server: ServerProcess
) -> None:
    prefix = unique_name("list")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(5)]
    assert sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"] == urls
    assert "NextToken" not in sqs.list_queues(QueueNamePrefix=prefix)
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert first["QueueUrls"] == urls[:2]
    second = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
    third = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=second["NextToken"])
    assert second["QueueUrls"] + third["QueueUrls"] == urls[2:]
    assert "NextToken" not in third
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=prefix + "-none")


def test_list_queues_max_results_bounds(sqs: BaseClient) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues(MaxResults=1001)
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_regions_and_accounts_are_separate(
    server: ServerProcess, protocol: str, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    east = sqs_client(server.url, protocol, "us-east-1")
    west = sqs_client(server.url, protocol, "eu-west-1")
    other_account = sqs_client(
        server.url, protocol, "us-east-1", aws_access_key_id="111122223333", aws_secret_access_key="x"
    )
    east_url = east.create_queue(QueueName=name)["QueueUrl"]
    with pytest.raises(west.exceptions.QueueDoesNotExist):
        west.get_queue_url(QueueName=name)
    west_arn = west.get_queue_attributes(
        QueueUrl=west.create_queue(QueueName=name)["QueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    assert west_arn.startswith("arn:aws:sqs:eu-west-1:000000000000:")
    own = other_account.create_queue(QueueName=name)["QueueUrl"]
    assert "/111122223333/" in own
    # Another account's queue is reachable by its URL or by naming the owner.
    assert (
        other_account.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="000000000000")["QueueUrl"]
        == east_url
    )


def test_tags(sqs: BaseClient, unique_name: Callable[[str], str]) -> None:
    url = sqs.create_queue(QueueName=unique_name("q"), tags={"team": "a", "env": "ci"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "ci"}
    sqs.tag_queue(QueueUrl=url, Tags={"team": "b", "empty": ""})
    sqs.untag_queue(QueueUrl=url, TagKeys=["env", "never-set"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b", "empty": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "empty"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_permissions_live_in_the_policy(sqs: BaseClient, queue_url: str) -> None:
    sqs.add_permission(
        QueueUrl=queue_url, Label="send", AWSAccountIds=["111122223333"], Actions=["SendMessage"]
    )
    sqs.add_permission(
        QueueUrl=queue_url,
        Label="both",
        AWSAccountIds=["111122223333", "444455556666"],
        Actions=["ReceiveMessage", "DeleteMessage"],
    )
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    first, second = policy["Statement"]
    assert first["Sid"] == "send" and first["Action"] == "SQS:SendMessage"
    assert first["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert second["Action"] == ["SQS:ReceiveMessage", "SQS:DeleteMessage"]
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=queue_url, Label="send", AWSAccountIds=["1"], Actions=["SendMessage"])
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=queue_url, Label="send")
    sqs.remove_permission(QueueUrl=queue_url, Label="both")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=queue_url, Label="both")
    assert error_of(excinfo)["Code"] == "InvalidParameterValue"


def test_permission_action_limit(sqs: BaseClient, queue_url: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(
            QueueUrl=queue_url, Label="many", AWSAccountIds=["111122223333"], Actions=["SendMessage"] * 8
        )
    assert error_of(excinfo)["Code"] == "OverLimit"
    assert error_of(excinfo)["Status"] == 403


def test_purge_empties_and_is_rate_limited(sqs: BaseClient, queue_url: str, server: ServerProcess) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody="visible")
    sqs.send_message(QueueUrl=queue_url, MessageBody="delayed", DelaySeconds=60)
    sqs.send_message(QueueUrl=queue_url, MessageBody="in flight")
    sqs.receive_message(QueueUrl=queue_url)
    sqs.purge_queue(QueueUrl=queue_url)
    counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert (
        counts["ApproximateNumberOfMessages"],
        counts["ApproximateNumberOfMessagesNotVisible"],
        counts["ApproximateNumberOfMessagesDelayed"],
    ) == ("0", "0", "0")
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as excinfo:
        sqs.purge_queue(QueueUrl=queue_url)
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert error_of(excinfo)["Status"] == 403
    server.advance(61)
    sqs.purge_queue(QueueUrl=queue_url)


def test_recreating_a_deleted_name_waits_60_seconds(
    sqs: BaseClient, unique_name: Callable[[str], str], server: ServerProcess
) -> None:
    """The session's server runs with --queue-deleted-recently, as AWS behaves."""
    name = unique_name("q")
    sqs.delete_queue(QueueUrl=sqs.create_queue(QueueName=name)["QueueUrl"])
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name)
    assert error_of(excinfo)["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    assert excinfo.type is sqs.exceptions.QueueDeletedRecently
    server.advance(61)
    sqs.create_queue(QueueName=name)
