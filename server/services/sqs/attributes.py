"""Queue attributes: which exist, their defaults, how each value is checked, and how changes combine.

All values are strings, as on the wire. AWS special cases live in the `SETTABLE` table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from server.errors import AwsError
from server.services.sqs.errors import invalid_value, sqs_error, unknown_attribute

Check = Callable[[str, str], str]
_SQS_ARN = re.compile(r"arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?")


def _attribute_value_error(name: str) -> AwsError:
    return sqs_error("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


def _int_range(low: int, high: int) -> Check:
    def check(name: str, value: str) -> str:
        try:
            number = int(value)
        except ValueError:
            raise _attribute_value_error(name) from None
        if not low <= number <= high:
            raise _attribute_value_error(name)
        return str(number)

    return check


def _boolean(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise _attribute_value_error(name)
    return value.lower()


def _any_text(name: str, value: str) -> str:
    return value


def _json_object(name: str, value: str) -> dict[str, Any]:
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid_value(name, value, f"{name} is not a valid JSON map.")
    return parsed


def _policy(name: str, value: str) -> str:
    if value:
        _json_object(name, value)
    return value


def _redrive_policy(name: str, value: str) -> str:
    if not value:
        return ""  # an empty RedrivePolicy removes it
    policy = _json_object(name, value)
    for field in ("deadLetterTargetArn", "maxReceiveCount"):
        if field not in policy:
            raise invalid_value(name, value, f"Redrive policy does not contain mandatory attribute: {field}.")
    target = policy["deadLetterTargetArn"]
    if not isinstance(target, str) or not _SQS_ARN.fullmatch(target):  # checked before any lookup, as on AWS
        raise invalid_value(name, value, "Invalid value for deadLetterTargetArn.")
    count = policy["maxReceiveCount"]
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise invalid_value(
            name,
            value,
            f"Invalid value for maxReceiveCount: {policy['maxReceiveCount']}, valid values are from 1 to 1000"
            " both inclusive.",
        )
    return orjson.dumps(
        {"deadLetterTargetArn": policy["deadLetterTargetArn"], "maxReceiveCount": count}
    ).decode()


def _redrive_allow_policy(name: str, value: str) -> str:
    if not value:
        return ""
    policy = _json_object(name, value)
    permission = policy.get("redrivePermission")
    sources = policy.get("sourceQueueArns")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_value(name, value, "Invalid value for redrivePermission.")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= 10:
            raise invalid_value(
                name, value, "Number of sourceQueueArns must be between 1 and 10 for byQueue."
            )
    elif sources is not None:
        raise invalid_value(name, value, "sourceQueueArns is only allowed with redrivePermission byQueue.")
    return orjson.dumps(policy).decode()


@dataclass(frozen=True)
class Rule:
    check: Check
    default: str | None = None


SETTABLE: dict[str, Rule] = {
    "DelaySeconds": Rule(_int_range(0, 900), "0"),
    "MaximumMessageSize": Rule(_int_range(1024, 1_048_576), "1048576"),
    "MessageRetentionPeriod": Rule(_int_range(60, 1_209_600), "345600"),
    "ReceiveMessageWaitTimeSeconds": Rule(_int_range(0, 20), "0"),
    "VisibilityTimeout": Rule(_int_range(0, 43_200), "30"),
    "SqsManagedSseEnabled": Rule(_boolean, "true"),
    "Policy": Rule(_policy),
    "RedrivePolicy": Rule(_redrive_policy),
    "RedriveAllowPolicy": Rule(_redrive_allow_policy),
    "KmsMasterKeyId": Rule(_any_text),
    "KmsDataKeyReusePeriodSeconds": Rule(_int_range(60, 86_400)),
}


def _one_of(*values: str) -> Check:
    def check(name: str, value: str) -> str:
        if value not in values:
            raise _attribute_value_error(name)
        return value

    return check


FIFO_SETTABLE: dict[str, Rule] = {
    "ContentBasedDeduplication": Rule(_boolean, "false"),
    "DeduplicationScope": Rule(_one_of("queue", "messageGroup"), "queue"),
    "FifoThroughputLimit": Rule(_one_of("perQueue", "perMessageGroupId"), "perQueue"),
}
FIFO_ONLY = ("FifoQueue", *FIFO_SETTABLE)
COMPUTED = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
)
# Emptying these removes them from the queue instead of storing an empty value.
_REMOVABLE = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")
_KMS_ONLY = ("KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds")


def _check_queue_type(name: str, value: str, fifo: bool) -> None:
    """FifoQueue names the queue type: given at creation, never changed; standard queues do not know it."""
    if not fifo:
        raise unknown_attribute(name)  # even "false", as AWS answers
    if value.lower() != "true":
        raise sqs_error(
            "InvalidAttributeValue",
            f"Invalid value for the parameter {name}. Reason: Modifying queue type is not supported.",
        )


def validate(requested: dict[str, str], *, fifo: bool = False) -> dict[str, str]:
    """Check every requested attribute of a queue of the given type; return them normalised."""
    checked: dict[str, str] = {}
    for name, value in requested.items():
        if name == "FifoQueue":
            _check_queue_type(name, value, fifo)
            continue
        rule = SETTABLE.get(name) or (FIFO_SETTABLE.get(name) if fifo else None)
        if rule is None:
            if name in ("DeduplicationScope", "FifoThroughputLimit"):
                raise sqs_error(
                    "InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true."
                )
            raise unknown_attribute(name)
        checked[name] = rule.check(name, value)
    if checked.get("KmsMasterKeyId") and checked.get("SqsManagedSseEnabled") == "true":
        raise sqs_error(
            "InvalidAttributeName",
            "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE"
            " or SQS SSE.",
        )
    return checked


def apply(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """The queue's attributes after validated `changes`; SSE-KMS and SSE-SQS switch each other off."""
    result = dict(current)
    result.update(changes)
    if changes.get("KmsMasterKeyId"):
        result["SqsManagedSseEnabled"] = "false"
        result.setdefault("KmsDataKeyReusePeriodSeconds", "300")
    elif changes.get("SqsManagedSseEnabled") == "true" or changes.get("KmsMasterKeyId") == "":
        for name in _KMS_ONLY:
            result.pop(name, None)
    for name in _REMOVABLE:
        if result.get(name) == "":
            del result[name]
    if "KmsMasterKeyId" not in result:
        result.pop("KmsDataKeyReusePeriodSeconds", None)
    return result


def check_combination(result: dict[str, str]) -> None:
    """Rules between attributes, checked on the queue's attributes after a change."""
    if (
        result.get("FifoThroughputLimit") == "perMessageGroupId"
        and result.get("DeduplicationScope") != "messageGroup"
    ):
        raise sqs_error(
            "InvalidAttributeValue",
            "Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed"
            " only when the value for DeduplicationScope is messageGroup.",
        )


def initial(requested: dict[str, str], *, fifo: bool) -> dict[str, str]:
    rules = SETTABLE | FIFO_SETTABLE if fifo else SETTABLE
    defaults = {name: rule.default for name, rule in rules.items() if rule.default is not None}
    if fifo:
        defaults["FifoQueue"] = "true"
    result = apply(defaults, requested)
    check_combination(result)
    return result


def first_difference(current: dict[str, str], requested: dict[str, str]) -> str | None:
    """CreateQueue on an existing name: the first requested attribute whose value differs, if any."""
    for name, value in requested.items():
        rule = SETTABLE.get(name) or FIFO_SETTABLE.get(name)
        if current.get(name, (rule.default if rule else None) or "") != value:
            return name
    return None


_KNOWN_STANDARD = frozenset(SETTABLE) | frozenset(COMPUTED)
_KNOWN_FIFO = _KNOWN_STANDARD | frozenset(FIFO_ONLY)


def select(requested: list[str], available: dict[str, str], *, fifo: bool) -> dict[str, str]:
    """GetQueueAttributes: `All` or named attributes; unknown names are an error, absent ones are skipped.

    A standard queue does not know the FIFO-only names: AWS answers "Unknown Attribute FifoQueue." there.
    """
    known = _KNOWN_FIFO if fifo else _KNOWN_STANDARD
    for name in requested:
        if name != "All" and name not in known:
            raise unknown_attribute(name)
    if "All" in requested:
        return dict(available)
    return {name: available[name] for name in requested if name in available}
