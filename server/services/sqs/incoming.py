"""ReceiveMessage: which attributes a caller asked for, and each received message as SQS returns it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from persistence.records import MessageRecord
from server.services.md5 import md5_of_attributes
from server.services.sqs import receipts

_ALL_ATTRIBUTE_NAMES = ("All", ".*", "*")


@dataclass(frozen=True)
class Selection:
    system_names: frozenset[str]
    attribute_names: tuple[str, ...]

    def wants_system(self, name: str) -> bool:
        return "All" in self.system_names or name in self.system_names

    def wants_attribute(self, name: str) -> bool:
        for wanted in self.attribute_names:
            if wanted in _ALL_ATTRIBUTE_NAMES or wanted == name:
                return True
            if wanted.endswith(".*") and name.startswith(wanted[:-2]):
                return True
        return False


def sequence_text(sequence: int) -> str:
    """AWS's SequenceNumbers are 20-digit decimals; so are ours, and they sort as text too."""
    return str(10**19 + sequence)


def _system_attributes(message: MessageRecord, selection: Selection) -> dict[str, str]:
    if not selection.system_names:
        return {}
    available: dict[str, str | None] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_ms),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.first_receive_ms),
        "MessageGroupId": message.group_id,
        "MessageDeduplicationId": message.dedup_id,
        "SequenceNumber": None if message.sequence_number is None else sequence_text(message.sequence_number),
        "DeadLetterQueueSourceArn": message.dead_letter_source,
    }
    if message.system_attributes:
        for name, value in orjson.loads(message.system_attributes).items():
            available[name] = value["StringValue"]
    return {
        name: value for name, value in available.items() if value is not None and selection.wants_system(name)
    }


def received(message: MessageRecord, selection: Selection) -> dict[str, Any]:
    view: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": receipts.issue(message.id, message.receive_count, message.message_id),
        "MD5OfBody": message.body_md5,
        "Body": message.body,
    }
    system = _system_attributes(message, selection)
    if system:
        view["Attributes"] = system
    if message.attributes and selection.attribute_names:
        stored: dict[str, dict[str, str]] = orjson.loads(message.attributes)
        chosen = {name: value for name, value in stored.items() if selection.wants_attribute(name)}
        if chosen:  # the digest covers only what is returned
            view["MD5OfMessageAttributes"] = md5_of_attributes(chosen)
            view["MessageAttributes"] = chosen
    return view
