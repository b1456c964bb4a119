"""Why a JSON document failed to parse, worded as AWS's JSON parser (Jackson) words it: SNS answers
"FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to
start field name\\n at [Source: REDACTED (…); line: 1, column: 2]" (recorded on AWS, 2025)."""

from __future__ import annotations

import re

import orjson

_SOURCE = "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"
_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_EXPECTING = {
    "expected a string key": "was expecting double-quote to start field name",
    "expected ':' after key": "was expecting a colon to separate field name and value",
    "expected ',' or '}'": "was expecting comma to separate Object entries",
    "expected ',' or ']'": "was expecting comma to separate Array entries",
}
_WORD = re.compile(r"[A-Za-z0-9_$+\-.]+")


def parse_failure(text: str, error: orjson.JSONDecodeError) -> str:
    """Jackson's reason for the first error orjson found, with its line and column."""
    at = min(error.pos, len(text))
    where = f"\n at [Source: {_SOURCE}; line: {error.lineno}, column: {error.colno}]"
    if not text.strip():
        return f"No content to map due to end-of-input{where}"
    if at >= len(text) or "end of data" in error.msg:
        return f"Unexpected end-of-input{where}"
    char = text[at]
    for found, expecting in _EXPECTING.items():
        if found in error.msg:
            return f"Unexpected character ({_character(char)}): {expecting}{where}"
    if char.isalpha():
        word = _WORD.match(text, at)
        token = word.group() if word else char
        return f"Unrecognized token '{token}': was expecting {_VALUE}{where}"
    return f"Unexpected character ({_character(char)}): expected a valid value {_VALUE}{where}"


def _character(char: str) -> str:
    return f"'{char}' (code {ord(char)})"


def parse_object(text: str) -> tuple[object | None, str | None]:
    """The document `text` holds, or None and why it does not parse."""
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as error:
        return None, parse_failure(text, error)
