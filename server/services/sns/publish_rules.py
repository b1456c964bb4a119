"""What Publish and PublishBatch accept: target, message, subject, structure, attributes, size and FIFO ids,
checked in AWS's order with its texts. The result is a `Publication`, what fan-out delivers."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import orjson

from persistence.records import TopicRecord
from server.errors import AwsError
from server.services import message_attributes
from server.services.message_attributes import Attributes, Problem, kind_of, size_of
from server.services.params import Params
from server.services.sns.errors import invalid_parameter
from server.services.sns.topic_rules import maximum_message_size

_SUBJECT = re.compile(r"[^\x00-\x1f\x7f]{1,99}")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


class Publication(NamedTuple):
    message: str
    """The `default` message (with MessageStructure=json, the structure's `default`)."""
    per_protocol: dict[str, str] | None
    """MessageStructure=json: the message for each protocol that has its own."""
    subject: str | None
    attributes: Attributes
    group_id: str | None
    dedup_id: str | None
    size: int
    """What it counts against the topic's MaximumMessageSize: the message as sent, and its attributes."""

    def message_for(self, protocol: str) -> str:
        if self.per_protocol is None:
            return self.message
        return self.per_protocol.get(protocol, self.message)


_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FIFO_ID = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")


def parameter_value_invalid(message: str) -> AwsError:
    return AwsError("ParameterValueInvalid", message, shape="InvalidParameterValueException")


def check_subject(subject: str | None) -> None:
    if subject is not None and not _SUBJECT.fullmatch(subject):
        raise invalid_parameter("Subject")


def check_phone_number(number: str) -> None:
    if not _E164.fullmatch(number):
        raise invalid_parameter(f"PhoneNumber Reason: {number} is not valid to publish to")


def attributes(raw: dict[str, Any], where: str = "messageAttributes") -> Attributes:
    """SNS's message attributes in wire form; `where` names them in a ValidationError (a batch entry's)."""
    valid: Attributes = {}
    for name, value in raw.items():
        _check_name(name)
        fields = value if isinstance(value, dict) else {}
        data_type = fields.get("DataType")
        if data_type is None:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value null at '{where}.{name}.member.dataType' failed to "
                "satisfy constraint: Member must not be null",
            )
        valid[name] = _checked_value(name, data_type, fields)
    return valid


def _check_name(name: str) -> None:
    if len(name.encode()) >= 256:
        raise parameter_value_invalid("Length of message attribute name must be less than 256 bytes.")
    for character in name:
        if not (character.isalnum() or character in "-_."):
            raise parameter_value_invalid(
                f"Invalid non-alphanumeric character '#x{ord(character):X}' was found in the message attribute"
                " name. Can only include alphanumeric characters, hyphens, underscores, or dots."
            )
    if name.startswith("."):
        raise parameter_value_invalid("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise parameter_value_invalid("Invalid message attribute name ending with character '.' was found.")
    if ".." in name:
        raise parameter_value_invalid("Message attribute name can not have successive '.' character.")


def _checked_value(name: str, data_type: Any, fields: dict[str, Any]) -> dict[str, str]:
    if not isinstance(data_type, str) or kind_of(data_type) not in ("String", "Number", "Binary"):
        raise parameter_value_invalid(
            f"The message attribute '{name}' has an invalid message attribute type, the set of supported type"
            " prefixes is Binary, Number, and String."
        )
    field = "Binary" if kind_of(data_type) == "Binary" else "String"
    value = fields.get(f"{field}Value")
    if value is None:
        raise parameter_value_invalid(
            f"The message attribute '{name}' with type '{kind_of(data_type)}' must use field '{field}'."
        )
    checked = message_attributes.checked(data_type, fields.get("StringValue"), fields.get("BinaryValue"))
    if checked is Problem.NO_VALUE:
        raise parameter_value_invalid(
            f"The message attribute '{name}' must contain non-empty message attribute value for message"
            f" attribute type '{kind_of(data_type)}'."
        )
    if checked is Problem.NOT_A_NUMBER:
        raise parameter_value_invalid(f"Could not cast message attribute '{name}' value to number.")
    if isinstance(checked, Problem):
        raise parameter_value_invalid(f"The message attribute '{name}' has an invalid value.")
    if data_type == "String.Array" and not _is_string_array(checked["StringValue"]):
        raise parameter_value_invalid(
            f"The message attribute '{name}' with type 'String.Array' must be a JSON array of strings,"
            " numbers, booleans or null."
        )
    return checked


def _is_string_array(text: str) -> bool:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, list) and all(
        item is None or isinstance(item, str | int | float | bool) for item in value
    )


def _structure(message: str, platform: str | None) -> tuple[str, dict[str, str]]:
    try:
        parsed = orjson.loads(message)
    except orjson.JSONDecodeError:
        raise invalid_parameter("Message Structure - JSON message body failed to parse") from None
    if not isinstance(parsed, dict):
        raise invalid_parameter("Message Structure - JSON message body failed to parse")
    per_protocol = {key: value for key, value in parsed.items() if isinstance(value, str)}  # others ignored
    if "default" in per_protocol:
        return per_protocol["default"], per_protocol
    if platform is not None and platform in per_protocol:  # a push endpoint needs only its platform's
        return per_protocol[platform], per_protocol
    raise invalid_parameter("Message Structure - No default entry in JSON message body")


def publication(
    entry: Params, topic: TopicRecord | None, where: str = "messageAttributes", platform: str | None = None
) -> Publication:
    """One message to publish (a Publish request or a batch entry), checked in AWS's order. `topic` is None
    for a publish to a phone number or a push endpoint (of `platform`)."""
    subject = entry.text("Subject")
    if subject == "":
        raise invalid_parameter("Subject")
    message = entry.text("Message")
    if not message:
        raise invalid_parameter("Empty message")
    if _NOT_XML.search(message):  # what no XML reply could carry (SQS refuses it too): never an altered body
        raise invalid_parameter("Message: it contains characters XML does not allow")
    structure = entry.text("MessageStructure")
    if structure is not None and structure != "json":
        raise invalid_parameter("MessageStructure")
    check_subject(subject)
    attributes_ = attributes(entry.mapping("MessageAttributes"), where)
    size = len(message.encode()) + size_of(attributes_)
    if size > maximum_message_size(topic):
        raise invalid_parameter("Message too long")
    group_id, dedup_id = _fifo_ids(entry, topic)
    per_protocol = None
    if entry.text("MessageStructure") == "json":
        message, per_protocol = _structure(message, platform)
    return Publication(message, per_protocol, subject, attributes_, group_id, dedup_id, size)


def _fifo_ids(entry: Params, topic: TopicRecord | None) -> tuple[str | None, str | None]:
    group_id = entry.text("MessageGroupId")
    dedup_id = entry.text("MessageDeduplicationId")
    if topic is not None and topic.fifo:
        if not group_id:
            raise invalid_parameter("The MessageGroupId parameter is required for FIFO topics")
        if not dedup_id and topic.attributes.get("ContentBasedDeduplication") != "true":
            raise invalid_parameter(
                "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId"
                " provided explicitly"
            )
        for name, value in (("MessageGroupId", group_id), ("MessageDeduplicationId", dedup_id)):
            if value is not None and not _FIFO_ID.fullmatch(value):
                raise invalid_parameter(
                    f"{name} Reason: {name} can only include alphanumeric and punctuation characters."
                    " 1 to 128 in length."
                )
        return group_id, dedup_id
    if dedup_id is not None:
        raise invalid_parameter(
            "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not"
            " valid for this topic type"
        )
    return group_id, None  # a standard topic passes a group id on to standard queues (fair queues)
