"""The JSON documents SNS delivers, byte for byte as AWS lays them out (two-space indent, ` : ` between key
and value, attributes one per line): the Notification envelope that SQS, HTTP/S and email-json subscribers
parse. A standard topic's notifications are signed; a FIFO topic's carry a SequenceNumber instead."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import orjson

from server import ids
from server.services.message_attributes import Attributes
from server.services.sns.signing import Signer, canonical
from server.services.timestamps import iso_millis

_PLACE = "\x00unsubscribe\x00"
"""Where the UnsubscribeURL goes while an envelope is laid out (no JSON text holds a raw NUL)."""


def _text(value: str) -> str:
    return orjson.dumps(value).decode()


def attributes_json(attributes: Attributes) -> str | None:
    """`"name" : {"Type":"String","Value":"v"}` lines (Binary values stay base64), or None without any."""
    if not attributes:
        return None
    lines = []
    for name, value in attributes.items():
        shown = value.get("StringValue", value.get("BinaryValue", ""))
        lines.append(
            f"    {_text(name)} : " + orjson.dumps({"Type": value["DataType"], "Value": shown}).decode()
        )
    return "{\n" + ",\n".join(lines) + "\n  }"


def document(fields: list[tuple[str, str | None]]) -> str:
    """Fields in order, those that are None left out; values already JSON text are marked by the caller."""
    return "{\n" + ",\n".join(f'  "{name}" : {value}' for name, value in fields if value is not None) + "\n}"


class Notification(NamedTuple):
    """What every subscriber of one publish shares; `for_subscription` adds what differs per subscriber."""

    message_id: str
    topic_arn: str
    subject: str | None
    timestamp: str
    attributes_json: str | None
    sequence_number: str | None
    """For a FIFO topic; its notifications are not signed."""


class Envelopes:
    """Builds one publish's Notification envelopes, each distinct message signed once (`sign` first)."""

    def __init__(self, signer: Signer, base_url: str, signature_version: str) -> None:
        self._signer = signer
        self._base_url = base_url
        self._version = signature_version
        self._signatures: dict[tuple[str, str], str] = {}
        self._parts: dict[tuple[str, str], tuple[str, str]] = {}

    async def sign(self, wanted: Iterable[tuple[Notification, str]]) -> None:
        """Sign what the envelopes to come will carry: (notification, message) pairs (a FIFO topic's are
        not signed), each distinct pair once, all in one go."""
        documents: dict[tuple[str, str], bytes] = {}
        for notification, message in wanted:
            key = (notification.message_id, message)
            if notification.sequence_number is None and key not in documents:
                documents[key] = canonical(
                    [
                        ("Message", message),
                        ("MessageId", notification.message_id),
                        ("Subject", notification.subject),
                        ("Timestamp", notification.timestamp),
                        ("TopicArn", notification.topic_arn),
                        ("Type", "Notification"),
                    ]
                )
        if documents:
            signatures = await self._signer.sign_all(list(documents.values()), self._version)
            self._signatures.update(zip(documents, signatures, strict=True))

    def unsubscribe_url(self, subscription_arn: str) -> str:
        return f"{self._base_url}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"

    def envelope(self, notification: Notification, message: str, subscription_arn: str) -> str:
        """The envelope for one subscription: only its UnsubscribeURL differs from the others' (the rest is
        laid out once per message, and reused for every subscription of the publish)."""
        key = (notification.message_id, message)
        parts = self._parts.get(key)
        if parts is None:
            parts = self._parts[key] = self._layout(notification, message)
        head, tail = parts
        return f"{head}{_text(self.unsubscribe_url(subscription_arn))}{tail}"

    def _layout(self, notification: Notification, message: str) -> tuple[str, str]:
        """The envelope's text before and after the UnsubscribeURL's value."""
        sequence_number = notification.sequence_number
        signed = sequence_number is None
        text = document(
            [
                ("Type", '"Notification"'),
                ("MessageId", _text(notification.message_id)),
                ("SequenceNumber", None if sequence_number is None else _text(sequence_number)),
                ("TopicArn", _text(notification.topic_arn)),
                ("Subject", _text(notification.subject) if notification.subject is not None else None),
                ("Message", _text(message)),
                ("Timestamp", _text(notification.timestamp)),
                ("SignatureVersion", _text(self._version) if signed else None),
                ("Signature", _text(self._signatures[notification.message_id, message]) if signed else None),
                ("SigningCertURL", _text(self.certificate_url) if signed else None),
                ("UnsubscribeURL", _PLACE),
                ("MessageAttributes", notification.attributes_json),
            ]
        )
        head, _, tail = text.partition(_PLACE)
        return head, tail

    def lambda_event(
        self, notification: Notification, message: str, subscription_arn: str, attributes: Attributes
    ) -> str:
        """The event a Lambda subscription's function gets (its keys cased as Lambda's are)."""
        record = {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": {
                "Type": "Notification",
                "MessageId": notification.message_id,
                "TopicArn": notification.topic_arn,
                "Subject": notification.subject,
                "Message": message,
                "Timestamp": notification.timestamp,
                "SignatureVersion": self._version,
                "Signature": self._signatures.get((notification.message_id, message), ""),
                "SigningCertUrl": self.certificate_url,
                "UnsubscribeUrl": self.unsubscribe_url(subscription_arn),
                "MessageAttributes": {
                    name: {
                        "Type": value["DataType"],
                        "Value": value.get("StringValue", value.get("BinaryValue")),
                    }
                    for name, value in attributes.items()
                },
            },
        }
        return orjson.dumps({"Records": [record]}).decode()

    @property
    def certificate_url(self) -> str:
        return self._signer.certificate_url(self._base_url)

    def confirmation(
        self, kind: str, topic_arn: str, token: str, message: str, now_ms: int
    ) -> tuple[str, str]:
        """A SubscriptionConfirmation or UnsubscribeConfirmation: (its message id, its signed document)."""
        message_id = ids.uuid4()
        subscribe_url = f"{self._base_url}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"
        when = iso_millis(now_ms)
        signed = [
            ("Message", message),
            ("MessageId", message_id),
            ("SubscribeURL", subscribe_url),
            ("Timestamp", when),
            ("Token", token),
            ("TopicArn", topic_arn),
            ("Type", kind),
        ]
        fields: list[tuple[str, str | None]] = [
            ("Type", kind),
            ("MessageId", message_id),
            ("Token", token),
            ("TopicArn", topic_arn),
            ("Message", message),
            ("SubscribeURL", subscribe_url),
            ("Timestamp", when),
            ("SignatureVersion", self._version),
            ("Signature", self._signer.sign(signed, self._version)),
            ("SigningCertURL", self.certificate_url),
        ]
        return message_id, document(
            [(name, None if value is None else _text(value)) for name, value in fields]
        )
