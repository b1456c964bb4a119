"""Rows as the rest of the program sees them: frozen dataclasses, no SQL, no wire formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True)
class QueueRecord:
    id: int
    account: str
    region: str
    name: str
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created_s: int = 0
    modified_s: int = 0
    last_purge_ms: int | None = None

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoQueue") == "true"


@dataclass(frozen=True)
class TopicRecord:
    arn: str
    account: str
    region: str
    name: str
    attributes: dict[str, str]
    """Only the attributes set on it (defaults are the service's to add)."""
    tags: dict[str, str]
    created_s: int

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoTopic") == "true"


@dataclass(frozen=True)
class SubscriptionRecord:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    attributes: dict[str, str]
    """Only the attributes set on it."""
    pending: bool
    token: str | None
    """What confirms a pending subscription."""


class NewMessage(NamedTuple):
    """A message to store; a tuple, since one is built for every message sent."""

    message_id: str
    body: str
    body_md5: str
    attributes: bytes | None
    system_attributes: bytes | None
    sender_id: str
    group_id: str | None
    dedup_id: str | None
    sent_ms: int
    visible_at_ms: int
    expires_at_ms: int


class MessageRecord(NamedTuple):
    """A stored message as a receive or a peek returns it; a tuple, built straight from a row."""

    id: int
    message_id: str
    body: str
    body_md5: str
    attributes: bytes | None
    system_attributes: bytes | None
    sender_id: str
    group_id: str | None
    dedup_id: str | None
    sent_ms: int
    visible_at_ms: int
    expires_at_ms: int
    receive_count: int
    first_receive_ms: int | None
    received_at_ms: int | None
    sequence_number: int | None
    dead_letter_source: str | None


@dataclass(frozen=True)
class QueueCounts:
    visible: int
    in_flight: int
    delayed: int


class IssuedCredentials(NamedTuple):
    """Temporary credentials and the identity they act as."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    account: str
    arn: str
    user_id: str
    expires_ms: int


@dataclass(frozen=True)
class PlatformApplicationRecord:
    arn: str
    account: str
    region: str
    name: str
    platform: str
    attributes: dict[str, str]


@dataclass(frozen=True)
class PlatformEndpointRecord:
    arn: str
    application_arn: str
    token: str
    attributes: dict[str, str]
    """CustomUserData and Enabled, as set."""


@dataclass(frozen=True)
class FunctionRecord:
    arn: str
    account: str
    region: str
    name: str
    configuration: dict[str, Any]
    """As GetFunctionConfiguration shows it (CodeSha256, CodeSize, LastModified, RevisionId included)."""
    tags: dict[str, str]


@dataclass(frozen=True)
class MappingRecord:
    uuid: str
    account: str
    region: str
    function_arn: str
    source_arn: str
    configuration: dict[str, Any]
    """BatchSize, MaximumBatchingWindowInSeconds, Enabled, FilterCriteria, FunctionResponseTypes, ...,
    LastModified (epoch seconds)."""
