"""HTTP/S delivery policies: the topic's `http` defaults, overridden by the subscription's own unless the
topic disables overrides; and the retry schedule they describe.

A schedule has four phases, in order: retries with no delay, retries at the minimum delay, a backoff phase
from the minimum to the maximum delay (linear, arithmetic, geometric or exponential), and retries at the
maximum delay. `numRetries` counts them all; with AWS's defaults that is three retries 20 seconds apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persistence.records import SubscriptionRecord, TopicRecord
from server.services.sns.topic_rules import json_object

DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"


@dataclass(frozen=True)
class RetryPolicy:
    min_delay_s: float = 20
    max_delay_s: float = 20
    retries: int = 3
    no_delay: int = 0
    at_min_delay: int = 0
    at_max_delay: int = 0
    backoff: str = "linear"

    def delay_s(self, retry: int) -> float | None:
        """How long to wait before retry number `retry` (from 1); None when no retry is left."""
        if retry > self.retries:
            return None
        if retry <= self.no_delay:
            return 0
        retry -= self.no_delay
        if retry <= self.at_min_delay:
            return self.min_delay_s
        retry -= self.at_min_delay
        backoff_retries = max(0, self.retries - self.no_delay - self.at_min_delay - self.at_max_delay)
        if retry > backoff_retries:
            return self.max_delay_s
        return self._backoff(retry / backoff_retries)

    def _backoff(self, share: float) -> float:
        """The delay `share` (0-1] of the way through the backoff phase."""
        low, high = self.min_delay_s, self.max_delay_s
        if self.backoff == "geometric" and low > 0:
            return float(low * (high / low) ** share)
        if self.backoff == "exponential":
            return float(low + (high - low) * (2 ** (10 * share) - 1) / (2**10 - 1))
        if self.backoff == "arithmetic":
            return float(low + (high - low) * share * share)
        return float(low + (high - low) * share)


@dataclass(frozen=True)
class HttpPolicy:
    retry: RetryPolicy = RetryPolicy()
    max_per_second: float | None = None
    content_type: str = DEFAULT_CONTENT_TYPE


def _retry(document: Any) -> RetryPolicy | None:
    return retry_policy(document) if isinstance(document, dict) else None


def retry_policy(document: dict[str, Any]) -> RetryPolicy:
    """The schedule a retry policy describes, AWS's defaults for what it leaves out."""
    defaults = RetryPolicy()

    def number(name: str, default: float) -> float:
        value = document.get(name, default)
        return (
            value
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            else default
        )

    return RetryPolicy(
        min_delay_s=number("minDelayTarget", defaults.min_delay_s),
        max_delay_s=number("maxDelayTarget", defaults.max_delay_s),
        retries=int(number("numRetries", defaults.retries)),
        no_delay=int(number("numNoDelayRetries", 0)),
        at_min_delay=int(number("numMinDelayRetries", 0)),
        at_max_delay=int(number("numMaxDelayRetries", 0)),
        backoff=str(document.get("backoffFunction", "linear")),
    )


def _rate(document: Any) -> float | None:
    rate = document.get("maxReceivesPerSecond") if isinstance(document, dict) else None
    return float(rate) if isinstance(rate, int | float) and not isinstance(rate, bool) and rate > 0 else None


def _content_type(document: Any) -> str | None:
    value = document.get("headerContentType") if isinstance(document, dict) else None
    return value if isinstance(value, str) and value else None


def http_policy(topic: TopicRecord | None, subscription: SubscriptionRecord | None) -> HttpPolicy:
    own = (json_object(topic.attributes.get("DeliveryPolicy") or "{}") or {}) if topic else {}
    found = own.get("http")
    http: dict[str, Any] = found if isinstance(found, dict) else {}
    retry = _retry(http.get("defaultHealthyRetryPolicy")) or RetryPolicy()
    rate = _rate(http.get("defaultThrottlePolicy"))
    content_type = _content_type(http.get("defaultRequestPolicy")) or DEFAULT_CONTENT_TYPE
    if subscription is not None and not http.get("disableSubscriptionOverrides"):
        mine = json_object(subscription.attributes.get("DeliveryPolicy") or "{}") or {}
        retry = _retry(mine.get("healthyRetryPolicy")) or retry
        rate = _rate(mine.get("throttlePolicy")) or rate
        content_type = _content_type(mine.get("requestPolicy")) or content_type
    return HttpPolicy(retry, rate, content_type)
