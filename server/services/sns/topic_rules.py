"""What SNS accepts for a topic (names, attributes, tags), and the attributes GetTopicAttributes shows."""

from __future__ import annotations

import re
from typing import Any

import orjson

from persistence.records import TopicRecord
from server.services.sns.delivery_policy_rules import check_topic_policy
from server.services.sns.errors import invalid_parameter

_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_FEEDBACK = {
    f"{protocol}{kind}"
    for protocol in ("HTTP", "Firehose", "Lambda", "Application", "SQS")
    for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
}
_JSON_VALUED = {"Policy", "DeliveryPolicy", "ArchivePolicy", "DataProtectionPolicy"}
_CHOICES = {
    "SignatureVersion": {"1", "2"},
    "TracingConfig": {"PassThrough", "Active"},
    "ContentBasedDeduplication": {"true", "false"},
    "FifoThroughputScope": {"Topic", "MessageGroup"},
}
_FIFO_ONLY = {"ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy"}
SETTABLE = {"DisplayName", "KmsMasterKeyId", "MaximumMessageSize"} | _JSON_VALUED | set(_CHOICES) | _FEEDBACK
MAX_TAGS = 50
DEFAULT_MAXIMUM_MESSAGE_SIZE = 262_144
EFFECTIVE_DELIVERY_POLICY = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}


def json_object(value: str) -> dict[str, Any] | None:
    """The JSON object an attribute value holds (policies), or None when it holds none."""
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None


def check_name(name: str, fifo: bool) -> None:
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if len(name) > 256 or not _NAME.fullmatch(base) or name.endswith(".fifo") != fifo:  # 256 with .fifo
        raise invalid_parameter("Topic Name")


def check_attribute(name: str, value: str, fifo: bool) -> None:
    """One attribute a caller sets (at CreateTopic or with SetTopicAttributes)."""
    if name not in SETTABLE or (name in _FIFO_ONLY and not fifo):
        raise invalid_parameter("AttributeName")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise invalid_parameter(f"{name}: Invalid value [{value}]")
    if name in _JSON_VALUED and value and json_object(value) is None:
        raise invalid_parameter(f"{name}: the value is not a JSON object")
    if name == "DeliveryPolicy" and value:
        check_topic_policy(json_object(value))
    if name == "Policy" and value:
        check_access_policy(json_object(value))
    if name == "MaximumMessageSize" and not (value.isdigit() and 1024 <= int(value) <= 1_048_576):
        raise invalid_parameter("MaximumMessageSize: must be an integer from 1024 to 1048576")
    if name.endswith("SampleRate") and not (value.isdigit() and 0 <= int(value) <= 100):
        raise invalid_parameter(f"{name}: must be an integer from 0 to 100")


MAX_POLICY_DEPTH = 16


def _depth(value: Any, limit: int) -> int:
    """How deep `value` nests, counting no further than `limit`."""
    if limit <= 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def check_access_policy(policy: dict[str, Any] | None) -> None:
    """A topic's Policy: a statement list of objects, nested no deeper than access policies go (so that
    AddPermission and RemovePermission can always read it back)."""
    if policy is None or _depth(policy, MAX_POLICY_DEPTH + 1) > MAX_POLICY_DEPTH:
        raise invalid_parameter("Policy: the policy is not a valid access policy")
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise invalid_parameter("Policy: Statement must be a JSON object or an array of JSON objects")


def check_tags(tags: dict[str, str], keys_seen: int) -> None:
    if keys_seen != len(tags):
        raise invalid_parameter("Duplicated keys are not allowed.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise invalid_parameter("Tags Reason: a tag key is 1 to 128 characters, a value at most 256")


def default_policy(topic: TopicRecord) -> str:
    actions = [
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
        "SNS:Publish",
    ]
    statement = {
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": actions,
        "Resource": topic.arn,
        "Condition": {"StringEquals": {"AWS:SourceOwner": topic.account}},
    }
    policy = {"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [statement]}
    return orjson.dumps(policy).decode()


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        below = merged.get(key)
        merged[key] = _merged(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
    return merged


def maximum_message_size(topic: TopicRecord | None) -> int:
    """The topic's limit on a message and its attributes, in bytes (a phone number's is the default)."""
    if topic is None:
        return DEFAULT_MAXIMUM_MESSAGE_SIZE
    return int(topic.attributes.get("MaximumMessageSize", DEFAULT_MAXIMUM_MESSAGE_SIZE))


def effective_delivery_policy(topic: TopicRecord) -> str:
    """The defaults with the topic's DeliveryPolicy merged over them."""
    own = json_object(topic.attributes.get("DeliveryPolicy") or "{}") or {}
    try:
        return orjson.dumps(_merged(EFFECTIVE_DELIVERY_POLICY, own)).decode()
    except orjson.JSONEncodeError:  # nested too deep to write: a value stored before policies were checked
        return orjson.dumps(EFFECTIVE_DELIVERY_POLICY).decode()


def attributes_view(topic: TopicRecord, confirmed: int, pending: int) -> dict[str, str]:
    """GetTopicAttributes: what is always shown, what a FIFO topic adds, and what was set."""
    view = {
        "DisplayName": "",
        "Policy": default_policy(topic),
        "Owner": topic.account,
        "TopicArn": topic.arn,
        "SubscriptionsConfirmed": str(confirmed),
        "SubscriptionsPending": str(pending),
        "SubscriptionsDeleted": "0",
    }
    if topic.fifo:
        view["ContentBasedDeduplication"] = "false"
    view.update(topic.attributes)
    view["EffectiveDeliveryPolicy"] = effective_delivery_policy(topic)
    return view


def same_as_existing(topic: TopicRecord, requested: dict[str, str]) -> bool:
    """CreateTopic of an existing name: every attribute asked for must be what the topic already has
    (`FifoTopic=false` on a standard topic counts as the same)."""
    for name, value in requested.items():
        if name == "FifoTopic" and value == "false" and not topic.fifo:
            continue
        if topic.attributes.get(name) != value:
            return False
    return True
