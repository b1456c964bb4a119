"""DeliveryPolicy as AWS checks it when set: only AWS's members, each within AWS's bounds, so that what is
stored always reads back and always describes a schedule (AWS's texts: `Unexpected JSON member: x`, `x must
be less than or equal to 100`). Topics hold `{"http": {...defaults}}`; subscriptions their own policy."""

from __future__ import annotations

from typing import Any

from server.errors import AwsError
from server.services.sns.errors import invalid_parameter

MAX_DELAY_S = 3600
MAX_RETRIES = 100
BACKOFF_FUNCTIONS = ("arithmetic", "exponential", "geometric", "linear")
_RETRY_COUNTS = ("numRetries", "numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries")
_RETRY_MEMBERS = ("minDelayTarget", "maxDelayTarget", *_RETRY_COUNTS, "backoffFunction")


def _bad(reason: str) -> AwsError:
    return invalid_parameter(f"DeliveryPolicy: {reason}")


def _members(document: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise _bad(f"{path or 'DeliveryPolicy'} must be a JSON object")
    for name in document:
        if name not in allowed:
            raise _bad(f"Unexpected JSON member: {name}")
    return document


def _whole(document: dict[str, Any], name: str, path: str, low: int, high: int) -> int | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(f"{path}.{name} must be an integer")
    if value < low:
        raise _bad(f"{path}.{name} must be greater than or equal to {low}")
    if value > high:
        raise _bad(f"{path}.{name} must be less than or equal to {high}")
    return value


def _retry(document: Any, path: str) -> None:
    policy = _members(document, path, _RETRY_MEMBERS)
    low = _whole(policy, "minDelayTarget", path, 1, MAX_DELAY_S)
    high = _whole(policy, "maxDelayTarget", path, 1, MAX_DELAY_S)
    if low is not None and high is not None and low > high:
        raise _bad(f"{path}.minDelayTarget must be less than or equal to maxDelayTarget")
    counts = {name: _whole(policy, name, path, 0, MAX_RETRIES) for name in _RETRY_COUNTS}
    retries = counts["numRetries"]
    phases = sum(counts[name] or 0 for name in _RETRY_COUNTS[1:])
    if retries is not None and phases > retries:
        raise _bad(f"{path}.numRetries must be at least the sum of the other retry counts")
    backoff = policy.get("backoffFunction")
    if backoff is not None and backoff not in BACKOFF_FUNCTIONS:
        raise _bad(f"{path}.backoffFunction must be one of {', '.join(BACKOFF_FUNCTIONS)}")
    from server.services.sns.delivery_policy import (
        retry_policy,  # (it reads stored policies with this module)
    )

    schedule = retry_policy(policy)
    if sum(schedule.delay_s(n) or 0 for n in range(1, schedule.retries + 1)) > MAX_DELAY_S:
        raise _bad(f"{path}: the total retry time must be at most {MAX_DELAY_S} seconds")


def _throttle(document: Any, path: str) -> None:
    _whole(_members(document, path, ("maxReceivesPerSecond",)), "maxReceivesPerSecond", path, 1, 2**31 - 1)


def _request(document: Any, path: str) -> None:
    content_type = _members(document, path, ("headerContentType",)).get("headerContentType")
    if content_type is not None and (not isinstance(content_type, str) or not content_type.strip()):
        raise _bad(f"{path}.headerContentType must be a content type")


def check_subscription_policy(document: Any) -> None:
    policy = _members(document, "", ("healthyRetryPolicy", "throttlePolicy", "requestPolicy", "guaranteed"))
    if "healthyRetryPolicy" in policy:
        _retry(policy["healthyRetryPolicy"], "healthyRetryPolicy")
    if "throttlePolicy" in policy:
        _throttle(policy["throttlePolicy"], "throttlePolicy")
    if "requestPolicy" in policy:
        _request(policy["requestPolicy"], "requestPolicy")


def check_topic_policy(document: Any) -> None:
    http = _members(document, "", ("http",)).get("http")
    if http is None:
        return
    members = ("defaultHealthyRetryPolicy", "disableSubscriptionOverrides", "defaultThrottlePolicy")
    http = _members(http, "http", (*members, "defaultRequestPolicy"))
    if "defaultHealthyRetryPolicy" in http:
        _retry(http["defaultHealthyRetryPolicy"], "http.defaultHealthyRetryPolicy")
    if "defaultThrottlePolicy" in http:
        _throttle(http["defaultThrottlePolicy"], "http.defaultThrottlePolicy")
    if "defaultRequestPolicy" in http:
        _request(http["defaultRequestPolicy"], "http.defaultRequestPolicy")
    if not isinstance(http.get("disableSubscriptionOverrides", False), bool):
        raise _bad("http.disableSubscriptionOverrides must be true or false")
