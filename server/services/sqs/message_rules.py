"""What SQS accepts in a message: body characters, message attributes, system attributes, sizes, ids."""

from __future__ import annotations

import base64
import re
from typing import Any

from server.errors import invalid_parameter_value
from server.services.params import Params
from server.services.sqs.errors import invalid_value, sqs_error

MAX_ATTRIBUTES = 10
_ALLOWED_BODY = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"[\w.\-]{1,256}")
_DATA_TYPE = re.compile(r"(String|Number|Binary)(\..+)?", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_GROUP_ID = re.compile(r"[!-~]{1,128}")
_SYSTEM_ATTRIBUTES = {"AWSTraceHeader"}

Attributes = dict[str, dict[str, str]]


def check_body(body: str) -> None:
    bad = _ALLOWED_BODY.search(body)
    if bad:
        raise sqs_error(
            "InvalidMessageContents",
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message body, the set of"
            " allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
        )


def _check_name(name: str) -> None:
    lowered = name.lower()
    if (
        not _ATTRIBUTE_NAME.fullmatch(name)
        or lowered.startswith(("aws.", "amazon."))
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
    ):
        raise invalid_parameter_value(f"Message (user) attribute name '{name}' is invalid.")


def _check_value(name: str, raw: Any) -> dict[str, str]:
    value = Params(raw if isinstance(raw, dict) else {})
    data_type = value.text("DataType")
    if not data_type:
        raise invalid_parameter_value(
            f"The message attribute '{name}' must contain a non-empty message attribute type."
        )
    if len(data_type) > 256 or not _DATA_TYPE.fullmatch(data_type):
        raise invalid_parameter_value(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the following"
            " supported type prefixes: Binary, Number, String."
        )
    if data_type.startswith("Binary"):
        binary = value.text("BinaryValue")
        if not binary:
            raise invalid_parameter_value(
                f"Message (user) attribute '{name}' must contain a non-empty value of type 'Binary'."
            )
        try:
            base64.b64decode(binary, validate=True)
        except ValueError:  # binascii.Error, or a non-ASCII character
            raise invalid_parameter_value(
                f"Message (user) attribute '{name}' has an invalid binary value."
            ) from None
        return {"DataType": data_type, "BinaryValue": binary}
    text = value.text("StringValue")
    kind = data_type.split(".", 1)[0]
    if not text:
        raise invalid_parameter_value(
            f"Message (user) attribute '{name}' must contain a non-empty value of type '{kind}'."
        )
    if _ALLOWED_BODY.search(text):
        raise invalid_parameter_value(f"Message (user) attribute '{name}' contains invalid characters.")
    if kind == "Number" and not _NUMBER.fullmatch(text):
        raise invalid_parameter_value(
            f"Can't cast the value of message (user) attribute '{name}' to a number."
        )
    return {"DataType": data_type, "StringValue": text}


def message_attributes(raw: dict[str, Any]) -> Attributes:
    if len(raw) > MAX_ATTRIBUTES:
        raise invalid_parameter_value(
            f"Number of message attributes [{len(raw)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    checked: Attributes = {}
    for name, value in raw.items():
        _check_name(name)
        checked[name] = _check_value(name, value)
    return checked


def system_attributes(raw: dict[str, Any]) -> Attributes:
    checked: Attributes = {}
    for name, value in raw.items():
        if name not in _SYSTEM_ATTRIBUTES:
            raise invalid_parameter_value(f"Message system attribute name '{name}' is invalid.")
        checked[name] = _check_value(name, value)
        if checked[name]["DataType"] != "String":
            raise invalid_parameter_value(f"{name} message system attribute must be of type 'String'.")
    return checked


def attributes_size(attributes: Attributes) -> int:
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(value["DataType"].encode())
        if "BinaryValue" in value:
            size += len(base64.b64decode(value["BinaryValue"]))
        else:
            size += len(value["StringValue"].encode())
    return size


def check_group_id(name: str, value: str) -> None:
    if not _GROUP_ID.fullmatch(value):
        raise invalid_value(
            name,
            value,
            f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )
