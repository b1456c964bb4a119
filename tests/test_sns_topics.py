"""SNS topics as boto3 (query protocol) drives them: idempotent creation with AWS's conflict rules, names,
attributes with their defaults, pages of ListTopics, tags, and topics that survive a restart."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import sns_client
from tests.harness import ServerProcess


def unique(prefix: str = "topic") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_create_topic_is_idempotent_until_attributes_or_tags_differ(sns: BaseClient) -> None:
    name = unique()
    arn = sns.create_topic(
        Name=name, Attributes={"DisplayName": "Orders"}, Tags=[{"Key": "team", "Value": "a"}]
    )["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:{name}"
    assert sns.create_topic(Name=name)["TopicArn"] == arn  # no attributes: the same topic
    assert (
        sns.create_topic(Name=name, Attributes={"DisplayName": "Orders", "FifoTopic": "false"})["TopicArn"]
        == arn
    )
    assert sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "a"}])["TopicArn"] == arn
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name, Attributes={"DisplayName": "Other"})
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
        400,
    )
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name, Attributes={"SignatureVersion": "2"})  # not set before: different
    assert error_of(raised)[0] == "InvalidParameter"
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "b"}])
    assert error_of(raised)[1] == "Invalid parameter: Tags Reason: Topic already exists with different tags"


@pytest.mark.parametrize(
    ("name", "attributes"),
    [
        ("has space", {}),
        ("", {}),
        ("x" * 257, {}),
        ("colon:name", {}),
        ("no-suffix", {"FifoTopic": "true"}),
        ("suffix-only.fifo", {}),
    ],
)
def test_topic_names_follow_awss_rules(sns: BaseClient, name: str, attributes: dict[str, str]) -> None:
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name, Attributes=attributes)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Topic Name", 400)


def test_a_fresh_topic_shows_awss_attributes(sns: BaseClient) -> None:
    arn = sns.create_topic(Name=unique())["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert set(attributes) == {
        "DisplayName",
        "EffectiveDeliveryPolicy",
        "Owner",
        "Policy",
        "SubscriptionsConfirmed",
        "SubscriptionsDeleted",
        "SubscriptionsPending",
        "TopicArn",
    }
    assert (attributes["Owner"], attributes["TopicArn"], attributes["DisplayName"]) == (
        "000000000000",
        arn,
        "",
    )
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Resource"] == arn
    assert (
        json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]["numRetries"]
        == 3
    )
    fifo = sns.create_topic(Name=unique() + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    fifo_attributes = sns.get_topic_attributes(TopicArn=fifo)["Attributes"]
    assert (fifo_attributes["FifoTopic"], fifo_attributes["ContentBasedDeduplication"]) == ("true", "false")


def test_set_topic_attributes_validates_names_and_values(sns: BaseClient) -> None:
    arn = sns.create_topic(Name=unique())["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
    sns.set_topic_attributes(
        TopicArn=arn,
        AttributeName="DeliveryPolicy",
        AttributeValue='{"http": {"defaultHealthyRetryPolicy": {"numRetries": 5}}}',
    )
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Orders"
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
    assert (effective["numRetries"], effective["minDelayTarget"]) == (5, 20)  # merged over the defaults
    for name, value in [
        ("NoSuchAttribute", "x"),
        ("ContentBasedDeduplication", "true"),
    ]:  # the second: FIFO only
        with pytest.raises(ClientError) as raised:
            sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
        assert error_of(raised) == ("InvalidParameter", "Invalid parameter: AttributeName", 400)
    with pytest.raises(ClientError) as raised:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="3")
    assert error_of(raised)[0] == "InvalidParameter"


def test_unknown_and_malformed_topic_arns(sns: BaseClient) -> None:
    with pytest.raises(ClientError) as raised:
        sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:000000000000:{unique()}")
    assert error_of(raised) == ("NotFound", "Topic does not exist", 404)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.set_topic_attributes(
            TopicArn=f"arn:aws:sns:us-east-1:000000000000:{unique()}",
            AttributeName="DisplayName",
            AttributeValue="x",
        )
    with pytest.raises(ClientError) as raised:
        sns.get_topic_attributes(TopicArn="not-an-arn")
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )
    with pytest.raises(ClientError) as raised:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:eu-west-1:000000000000:elsewhere")
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: TopicArn", 400)


def test_delete_topic_is_idempotent(sns: BaseClient) -> None:
    arn = sns.create_topic(Name=unique())["TopicArn"]
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_topic_attributes(TopicArn=arn)


def test_list_topics_pages_by_100_within_the_callers_account(server: ServerProcess) -> None:
    account = "1" + uuid.uuid4().int.__str__()[:11]  # a 12-digit key id is its own account
    sns = sns_client(server.url, aws_access_key_id=account, aws_secret_access_key="x")
    created = sorted(sns.create_topic(Name=f"page-{n:03}")["TopicArn"] for n in range(105))
    first = sns.list_topics()
    second = sns.list_topics(NextToken=first["NextToken"])
    assert len(first["Topics"]) == 100 and "NextToken" not in second
    assert [t["TopicArn"] for t in first["Topics"] + second["Topics"]] == created
    assert all(f":{account}:" in arn for arn in created)


def test_tags_of_a_topic(sns: BaseClient) -> None:
    arn = sns.create_topic(Name=unique(), Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "ci"}, {"Key": "team", "Value": "b"}])
    assert sorted((t["Key"], t["Value"]) for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]) == [
        ("env", "ci"),
        ("team", "b"),
    ]
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "ci"}]
    with pytest.raises(ClientError) as raised:
        sns.list_tags_for_resource(ResourceArn=arn + "-gone")
    assert error_of(raised) == ("ResourceNotFound", "Resource does not exist", 404)
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=unique(), Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
    assert error_of(raised)[1] == "Invalid parameter: Duplicated keys are not allowed."


def test_topics_survive_a_restart(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data").start() as server:
        sns = sns_client(server.url)
        arn = sns.create_topic(
            Name="kept", Attributes={"DisplayName": "Kept"}, Tags=[{"Key": "k", "Value": "v"}]
        )["TopicArn"]
    with ServerProcess(tmp_path / "data").start() as server:
        sns = sns_client(server.url)
        assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Kept"
        assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_a_fifo_topic_name_counts_its_suffix_in_the_256_characters(sns: BaseClient) -> None:
    fifo = {"FifoTopic": "true"}
    assert sns.create_topic(Name="f" * 251 + ".fifo", Attributes=fifo)["TopicArn"].endswith(".fifo")
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name="f" * 252 + ".fifo", Attributes=fifo)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Topic Name", 400)
