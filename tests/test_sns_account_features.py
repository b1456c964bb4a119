"""The rest of SNS's API as boto3 drives it: topic permissions and data-protection policies, SMS settings and
the SMS sandbox, mobile push applications and endpoints (with Publish to an endpoint, and a disabled one),
and the operations that have no result element in AWS's model."""

from __future__ import annotations

import json

import botocore.loaders
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from server.services.sns.wire import OUTPUT
from tests.harness import ServerProcess
from tests.test_sns_topics import error_of, unique


def test_the_operations_without_output_are_the_models(sns: BaseClient) -> None:
    model = botocore.loaders.Loader().load_service_model("sns", "service-2")
    assert OUTPUT.without_result == {name for name, op in model["operations"].items() if "output" not in op}


def test_add_and_remove_permission_edit_the_topic_policy(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sns.add_permission(TopicArn=topic, Label="share", AWSAccountId=["111122223333"], ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID", "share"]
    assert statements[1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert statements[1]["Action"] == "SNS:Publish"
    with pytest.raises(ClientError) as raised:
        sns.add_permission(
            TopicArn=topic, Label="share", AWSAccountId=["111122223333"], ActionName=["Publish"]
        )
    assert error_of(raised)[0] == "InvalidParameter"
    sns.remove_permission(TopicArn=topic, Label="share")
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID"]


def test_a_data_protection_policy_is_kept(sns: BaseClient) -> None:
    topic = sns.create_topic(Name=unique())["TopicArn"]
    assert sns.get_data_protection_policy(ResourceArn=topic)["DataProtectionPolicy"] == ""
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=policy)
    assert sns.get_data_protection_policy(ResourceArn=topic)["DataProtectionPolicy"] == policy
    with pytest.raises(ClientError) as raised:
        sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy="{nope")
    assert error_of(raised)[0] == "InvalidParameter"


def test_sms_attributes_and_opt_outs(sns: BaseClient) -> None:
    assert sns.get_sms_attributes()["attributes"]["DefaultSMSType"] == "Promotional"
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Posthouse"})
    assert sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"] == {
        "DefaultSMSType": "Transactional"
    }
    with pytest.raises(ClientError) as raised:
        sns.set_sms_attributes(attributes={"Colour": "blue"})
    assert error_of(raised)[0] == "InvalidParameter"
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is False
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == []
    sns.opt_in_phone_number(phoneNumber="+15555550100")


def test_the_sms_sandbox_verifies_a_number_with_the_recorded_password(
    sns: BaseClient, server: ServerProcess
) -> None:
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    number = "+15555550177"
    sns.create_sms_sandbox_phone_number(PhoneNumber=number, LanguageCode="en-US")
    listed = sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"]
    assert {"PhoneNumber": number, "Status": "Pending"} in listed
    with pytest.raises(ClientError) as raised:
        sns.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword="000000x")
    assert error_of(raised)[0] == "VerificationException"
    _, body = server.admin("GET", "/admin/sns/sms")
    password = [m for m in body["sms_messages"] if m["PhoneNumber"] == number][-1]["Message"].rsplit(" ", 1)[
        1
    ]
    sns.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword=password)
    assert {"PhoneNumber": number, "Status": "Verified"} in sns.list_sms_sandbox_phone_numbers()[
        "PhoneNumbers"
    ]
    sns.delete_sms_sandbox_phone_number(PhoneNumber=number)
    with pytest.raises(ClientError) as raised:
        sns.delete_sms_sandbox_phone_number(PhoneNumber=number)
    assert error_of(raised)[:2] == ("ResourceNotFound", "Resource does not exist")
    assert sns.list_origination_numbers()["PhoneNumbers"] == []


def test_push_applications_and_endpoints(sns: BaseClient, server: ServerProcess) -> None:
    name = unique("app")
    app = sns.create_platform_application(
        Name=name, Platform="GCM", Attributes={"PlatformCredential": "secret"}
    )["PlatformApplicationArn"]
    assert app.endswith(f":app/GCM/{name}")
    assert (
        "PlatformCredential"
        not in sns.get_platform_application_attributes(PlatformApplicationArn=app)["Attributes"]
    )
    assert app in [
        a["PlatformApplicationArn"] for a in sns.list_platform_applications()["PlatformApplications"]
    ]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="u")[
        "EndpointArn"
    ]
    assert endpoint.split(":")[-1].startswith(f"endpoint/GCM/{name}/")
    same = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="u")
    assert same["EndpointArn"] == endpoint  # the same token and attributes: the same endpoint
    with pytest.raises(ClientError) as raised:
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="other")
    assert error_of(raised)[1] == (
        f"Invalid parameter: Token Reason: Endpoint {endpoint} already exists with the same Token, but different"
        " attributes."
    )
    assert sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"] == {
        "Enabled": "true",
        "Token": "device-1",
        "CustomUserData": "u",
    }
    push = json.dumps({"GCM": json.dumps({"notification": {"title": "hi"}})})
    sns.publish(TargetArn=endpoint, Message=push, MessageStructure="json")
    _, body = server.admin("GET", "/_aws/sns/platform-endpoint-messages")
    assert json.loads(body["platform_endpoint_messages"][endpoint][-1]["Payload"]) == {
        "notification": {"title": "hi"}
    }
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    with pytest.raises(ClientError) as raised:
        sns.publish(TargetArn=endpoint, Message="m")
    assert error_of(raised) == ("EndpointDisabled", "Endpoint is disabled", 400)
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [e["EndpointArn"] for e in listed] == [endpoint]
    sns.delete_platform_application(PlatformApplicationArn=app)
    with pytest.raises(ClientError) as raised:
        sns.get_endpoint_attributes(EndpointArn=endpoint)
    assert error_of(raised)[:2] == ("NotFound", "Endpoint does not exist")
    sns.delete_endpoint(EndpointArn=endpoint)  # already gone: still 200


@pytest.mark.parametrize(
    ("platform", "attributes", "reason"),
    [
        ("GCM", {}, "PlatformCredential attribute required"),
        ("GCM", {"PlatformPrincipal": "p"}, "PlatformCredential attribute required"),
        (
            "APNS",
            {"PlatformCredential": "key"},
            "PlatformCredential attribute provided without PlatformPrincipal",
        ),
        (
            "ADM",
            {"PlatformPrincipal": "id"},
            "PlatformPrincipal attribute provided without PlatformCredential",
        ),
    ],
)
def test_an_application_needs_its_platforms_credentials(
    sns: BaseClient, platform: str, attributes: dict[str, str], reason: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sns.create_platform_application(Name=unique("app"), Platform=platform, Attributes=attributes)
    assert error_of(raised)[:2] == ("InvalidParameter", f"Invalid parameter: Attributes Reason: {reason}")
    both = {"PlatformCredential": "key", "PlatformPrincipal": "certificate"}
    assert sns.create_platform_application(Name=unique("app"), Platform="APNS", Attributes=both)


def test_publishing_to_a_deleted_endpoint_names_the_target(sns: BaseClient) -> None:
    app = sns.create_platform_application(
        Name=unique("app"), Platform="GCM", Attributes={"PlatformCredential": "secret"}
    )["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-2")["EndpointArn"]
    sns.delete_endpoint(EndpointArn=endpoint)
    with pytest.raises(ClientError) as raised:
        sns.publish(TargetArn=endpoint, Message="m")
    assert error_of(raised) == (  # AWS's text, recorded
        "InvalidParameter",
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified",
        400,
    )
