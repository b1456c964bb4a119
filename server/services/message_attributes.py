"""Message attributes as SQS and SNS both accept them: names, data types, values, sizes.

The rules are shared; the wording of the errors is each service's own (SNS words them differently), so a
check answers what is wrong (`Problem`) and the service says it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from server.services.params import NOT_XML

Attributes = dict[str, dict[str, str]]
"""Attributes in wire form: name -> {"DataType", "StringValue" | "BinaryValue" (base64)}."""

_NAME = re.compile(r"[\w.\-]{1,256}")
_DATA_TYPE = re.compile(r"(String|Number|Binary)(\..+)?", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class Problem(Enum):
    NO_TYPE = "no data type"
    BAD_TYPE = "a data type that is not Binary, Number or String (with an optional .suffix)"
    NO_VALUE = "no value of its type"
    BAD_BINARY = "a binary value that is not base64"
    BAD_CHARACTERS = "characters no message may hold"
    NOT_A_NUMBER = "a Number whose value is not a number"


def name_is_valid(name: str) -> bool:
    """Letters, digits, `_ - .`, at most 256; not starting with `AWS.`/`Amazon.`; no leading, trailing or
    doubled dot."""
    return bool(
        _NAME.fullmatch(name)
        and not name.lower().startswith(("aws.", "amazon."))
        and not name.startswith(".")
        and not name.endswith(".")
        and ".." not in name
    )


def kind_of(data_type: str) -> str:
    """`String`, `Number` or `Binary`: the type a custom type (`Number.float`) is of."""
    return data_type.split(".", 1)[0]


def checked(data_type: Any, string_value: Any, binary_value: Any) -> dict[str, str] | Problem:
    """The attribute in wire form, or what is wrong with it."""
    if not isinstance(data_type, str) or not data_type:
        return Problem.NO_TYPE
    if len(data_type) > 256 or not _DATA_TYPE.fullmatch(data_type):
        return Problem.BAD_TYPE
    if data_type.startswith("Binary"):
        if not isinstance(binary_value, str) or not binary_value:
            return Problem.NO_VALUE
        try:
            base64.b64decode(binary_value, validate=True)
        except ValueError:  # binascii.Error, or a non-ASCII character
            return Problem.BAD_BINARY
        return {"DataType": data_type, "BinaryValue": binary_value}
    if not isinstance(string_value, str) or not string_value:
        return Problem.NO_VALUE
    if NOT_XML.search(string_value):  # it could not travel back in XML
        return Problem.BAD_CHARACTERS
    if kind_of(data_type) == "Number" and not (
        _NUMBER.fullmatch(string_value) and _in_number_range(string_value)
    ):
        return Problem.NOT_A_NUMBER
    return {"DataType": data_type, "StringValue": string_value}


def _in_number_range(text: str) -> bool:
    """AWS's Number: at most 38 significant digits, between 10^-128 and 10^+126 (`1e400` is refused). A
    plain numeral of at most 38 characters always fits, so only longer ones and exponents are worked out."""
    if len(text) <= 38 and "e" not in text and "E" not in text:
        return True
    from decimal import Decimal  # only for long numerals and exponents: start-up does not pay for it

    number = Decimal(text)
    if not number:
        return True
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    return len(digits) <= 38 and -128 <= number.adjusted() <= 126


def size_of(attributes: Mapping[str, Mapping[str, str]]) -> int:
    """What the attributes count against a message's size: names, data types and values, in bytes."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(value["DataType"].encode())
        if "BinaryValue" in value:
            size += len(base64.b64decode(value["BinaryValue"]))
        else:
            size += len(value["StringValue"].encode())
    return size
