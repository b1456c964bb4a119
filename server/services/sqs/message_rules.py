"""What SQS accepts in a message: body characters, message attributes, system attributes, sizes, ids."""

from __future__ import annotations

import re
from typing import Any

from server.errors import invalid_parameter_value
from server.services.message_attributes import (
    Attributes,
    Problem,
    checked,
    kind_of,
    name_is_valid,
)
from server.services.params import NOT_XML, Params
from server.services.sqs.errors import invalid_value, sqs_error

MAX_ATTRIBUTES = 10
_GROUP_ID = re.compile(r"[!-~]{1,128}")
_SYSTEM_ATTRIBUTES = {"AWSTraceHeader"}


def check_body(body: str) -> None:
    bad = NOT_XML.search(body)
    if bad:
        raise sqs_error(
            "InvalidMessageContents",
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message body, the set of"
            " allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
        )


def _check_name(name: str) -> None:
    if not name_is_valid(name):
        raise invalid_parameter_value(f"Message (user) attribute name '{name}' is invalid.")


_WORDING = {
    Problem.NO_TYPE: "The message attribute '{name}' must contain a non-empty message attribute type.",
    Problem.BAD_TYPE: "The type of message (user) attribute '{name}' is invalid. You must use only the"
    " following supported type prefixes: Binary, Number, String.",
    Problem.NO_VALUE: "Message (user) attribute '{name}' must contain a non-empty value of type '{kind}'.",
    Problem.BAD_BINARY: "Message (user) attribute '{name}' has an invalid binary value.",
    Problem.BAD_CHARACTERS: "Message (user) attribute '{name}' contains invalid characters.",
    Problem.NOT_A_NUMBER: "Can't cast the value of message (user) attribute '{name}' to a number.",
}


def _check_value(name: str, raw: Any) -> dict[str, str]:
    value = Params(raw if isinstance(raw, dict) else {})
    data_type = value.text("DataType")
    outcome = checked(data_type, value.text("StringValue"), value.text("BinaryValue"))
    if isinstance(outcome, Problem):
        kind = kind_of(data_type or "")
        raise invalid_parameter_value(_WORDING[outcome].format(name=name, kind=kind))
    return outcome


def message_attributes(raw: dict[str, Any]) -> Attributes:
    if len(raw) > MAX_ATTRIBUTES:
        raise invalid_parameter_value(
            f"Number of message attributes [{len(raw)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    valid: Attributes = {}
    for name, value in raw.items():
        _check_name(name)
        valid[name] = _check_value(name, value)
    return valid


def system_attributes(raw: dict[str, Any]) -> Attributes:
    valid: Attributes = {}
    for name, value in raw.items():
        if name not in _SYSTEM_ATTRIBUTES:
            raise invalid_parameter_value(f"Message system attribute name '{name}' is invalid.")
        valid[name] = _check_value(name, value)
        if valid[name]["DataType"] != "String":
            raise invalid_parameter_value(f"{name} message system attribute must be of type 'String'.")
    return valid


def check_group_id(name: str, value: str) -> None:
    if not _GROUP_ID.fullmatch(value):
        raise invalid_value(
            name,
            value,
            f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )
