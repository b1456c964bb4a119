"""The parse failures SNS words as AWS's JSON parser does, for each kind of mistake, with its position."""

from __future__ import annotations

import pytest

from server.services.json_failure import parse_object

_AT = (
    "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: {}, column: {}]"
)
_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


@pytest.mark.parametrize(
    ("text", "reason", "line", "column"),
    [
        (
            "{invalid}",
            "Unexpected character ('i' (code 105)): was expecting double-quote to start field name",
            1,
            2,
        ),
        (
            '{"a" 1}',
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value",
            1,
            6,
        ),
        (
            '{"a":1 "b":2}',
            "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries",
            1,
            8,
        ),
        (
            "[1 2]",
            "Unexpected character ('2' (code 50)): was expecting comma to separate Array entries",
            1,
            4,
        ),
        ('{"a": nope}', f"Unrecognized token 'nope': was expecting {_VALUE}", 1, 7),
        ('{"a": }', f"Unexpected character ('}}' (code 125)): expected a valid value {_VALUE}", 1, 7),
        ('{\n"a": 1', "Unexpected end-of-input", 2, 7),
    ],
)
def test_each_mistake_is_worded_as_aws_words_it(text: str, reason: str, line: int, column: int) -> None:
    document, failure = parse_object(text)
    assert document is None
    assert failure == reason + _AT.format(line, column)


def test_a_document_that_parses_has_no_failure() -> None:
    assert parse_object('{"a": [1]}') == ({"a": [1]}, None)
