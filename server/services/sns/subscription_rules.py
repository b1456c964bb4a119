"""What SNS accepts for a subscription (protocols, endpoints, attributes), and what GetSubscriptionAttributes
shows."""

from __future__ import annotations

import re
from typing import Any

from persistence.records import SubscriptionRecord, TopicRecord
from server.errors import AwsError
from server.services.filter_operators import SNS_POLICIES, PolicyError
from server.services.filter_policy import Policy, compile_policy
from server.services.json_failure import parse_object
from server.services.sns.delivery_policy_rules import check_subscription_policy
from server.services.sns.errors import invalid_parameter
from server.services.sns.topic_rules import json_object

CONFIRMED_AT_ONCE = {"sqs", "lambda", "firehose", "application", "sms"}
"""Protocols whose endpoints (in the same account) need no confirmation."""
PROTOCOLS = CONFIRMED_AT_ONCE | {"http", "https", "email", "email-json", "sms"}
RAW_CAPABLE = {"sqs", "http", "https", "firehose"}
SETTABLE = {
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
}
_PHONE = re.compile(r"\+?[0-9]{7,15}")
_PLATFORM_ENDPOINT = re.compile(r"endpoint/[A-Za-z_]+/[^/]+/[^/]+")
"""The resource of a platform endpoint's ARN: `endpoint/GCM/app/<id>`."""
_ARN_PREFIX = {
    "sqs": "arn:aws:sqs:",
    "lambda": "arn:aws:lambda:",
    "firehose": "arn:aws:firehose:",
    "application": "arn:aws:sns:",
}


def check_endpoint(protocol: str, endpoint: str | None, topic: TopicRecord) -> str:
    if protocol not in PROTOCOLS:
        raise invalid_parameter(f"Amazon SNS does not support this protocol string: {protocol}")
    if not endpoint:
        raise invalid_parameter("Endpoint")
    if protocol in _ARN_PREFIX and (
        not endpoint.startswith(_ARN_PREFIX[protocol]) or len(endpoint.split(":")) < 6
    ):
        raise invalid_parameter("SQS endpoint ARN" if protocol == "sqs" else f"{protocol} endpoint ARN")
    if protocol == "application" and not _PLATFORM_ENDPOINT.fullmatch(endpoint.split(":", 5)[-1]):
        raise invalid_parameter("application endpoint ARN")  # a platform endpoint's, not anything of SNS's
    if protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise invalid_parameter(f"Endpoint must match the specified protocol: {protocol}")
    if protocol in ("email", "email-json") and "@" not in endpoint:
        raise invalid_parameter("Email address")
    if protocol == "sms" and not _PHONE.fullmatch(endpoint):
        # AWS words this one without "Invalid parameter: " (as moto and LocalStack reproduce it)
        raise AwsError(
            "InvalidParameter", f"Invalid SMS endpoint: {endpoint}", shape="InvalidParameterException"
        )
    if protocol == "sqs" and endpoint.endswith(".fifo") and not topic.fifo:
        raise invalid_parameter(  # AWS doubles the prefix here
            "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
        )
    if topic.fifo and protocol != "sqs":
        raise invalid_parameter(f"Invalid protocol type: {protocol}")
    return endpoint


def check_attribute(name: str, value: str, protocol: str, topic: TopicRecord) -> None:
    """One attribute a caller sets (at Subscribe, where AWS prefixes `Attributes Reason: `, or later)."""
    if name not in SETTABLE:
        raise invalid_parameter("AttributeName")
    if name == "RawMessageDelivery":
        if value.lower() not in ("true", "false"):
            raise invalid_parameter(f"RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        if protocol not in RAW_CAPABLE:
            raise invalid_parameter(f"Delivery protocol [{protocol}] does not support raw message delivery.")
    elif name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
        raise invalid_parameter(
            f"FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
        )
    elif name == "RedrivePolicy":
        policy = _parsed(name, value)
        target = policy.get("deadLetterTargetArn") if policy else None
        if (
            not isinstance(target, str)
            or not target.startswith("arn:aws:sqs:")
            or len(target.split(":")) != 6
        ):
            raise invalid_parameter("RedrivePolicy: deadLetterTargetArn is an invalid arn")
        if topic.fifo and not target.endswith(".fifo"):
            raise invalid_parameter(
                "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
            )
        if not topic.fifo and target.endswith(".fifo"):  # no message group to put it in
            raise invalid_parameter(
                "RedrivePolicy: must use a standard queue as DLQ for a standard Subscription to a standard Topic."
            )
    elif name == "DeliveryPolicy" and value:
        document = _parsed(name, value)
        if document is None:
            raise invalid_parameter(f"{name}: failed to parse JSON.")
        check_subscription_policy(document)


def _parsed(name: str, value: str) -> dict[str, Any] | None:
    """The JSON object a policy attribute holds (None for another JSON value); JSON that does not parse is
    refused in AWS's words."""
    document, failure = parse_object(value)
    if failure is not None:
        raise invalid_parameter(f"{name}: failed to parse JSON. {failure}")
    return document if isinstance(document, dict) else None


def normalised(name: str, value: str) -> str:
    return value.lower() if name == "RawMessageDelivery" else value


def attributes_view(subscription: SubscriptionRecord) -> dict[str, str]:
    view = {
        "ConfirmationWasAuthenticated": "false" if subscription.pending else "true",
        "Endpoint": subscription.endpoint,
        "Owner": subscription.owner,
        "PendingConfirmation": "true" if subscription.pending else "false",
        "Protocol": subscription.protocol,
        "RawMessageDelivery": "false",
        "SubscriptionArn": subscription.arn,
        "SubscriptionPrincipal": f"arn:aws:iam::{subscription.owner}:user/posthouse",
        "TopicArn": subscription.topic_arn,
    }
    view.update(subscription.attributes)
    if not view.get("FilterPolicy"):
        # AWS shows neither an empty policy nor a scope without a policy (recorded on AWS)
        view.pop("FilterPolicy", None)
        view.pop("FilterPolicyScope", None)
    elif "FilterPolicyScope" not in view:
        view["FilterPolicyScope"] = "MessageAttributes"
    return view


def filter_policy(attributes: dict[str, str]) -> Policy | None:
    """The subscription's filter policy under its scope, compiled (and so checked); None without one."""
    body_scope = attributes.get("FilterPolicyScope") == "MessageBody"
    try:
        return compile_policy(attributes.get("FilterPolicy", ""), body_scope, SNS_POLICIES)
    except PolicyError as error:
        raise invalid_parameter(str(error) if error.whole else f"FilterPolicy: {error}") from None


def redrive_policy(subscription: SubscriptionRecord) -> dict[str, Any] | None:
    """The subscription's RedrivePolicy (checked when set), if it has one."""
    value = subscription.attributes.get("RedrivePolicy")
    return json_object(value) if value else None


def is_raw(subscription: SubscriptionRecord) -> bool:
    return subscription.attributes.get("RawMessageDelivery") == "true"
