"""Typed reading of decoded request parameters, with AWS's errors for missing or malformed input.

Both protocols decode to the same shape (the JSON protocol's); the query protocol delivers every scalar as
text, so numbers and booleans are accepted as decimal strings and `true`/`false` too.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

from server.errors import invalid_parameter_value, missing_parameter


def shown(value: object) -> str:
    """A value as an error text quotes it, bounded (reprlib) for one nested a thousand deep or a megabyte long."""
    return value if isinstance(value, str) and len(value) <= 256 else _SHORT.repr(value)


def _bad(name: str, value: object, reason: str) -> Exception:
    return invalid_parameter_value(f"Value {shown(value)} for parameter {name} is invalid. Reason: {reason}")


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 3, 256, 256
    return short


_SHORT = _short_repr()


# Characters XML 1.0 cannot carry, not even as references: a value holding one could be stored through the
# JSON protocol but never returned through the query protocol.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _check_echoable(name: str, values: list[str]) -> None:
    for value in values:
        if NOT_XML.search(value):
            raise _bad(name, value, "Contains characters that are not valid in XML.")


class Params:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def text(self, name: str, *, echoed: bool = False) -> str | None:
        """`echoed`: the value is stored and answered later, so it must be text both protocols can carry."""
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _bad(name, value, "Must be a string.")
        if echoed:
            _check_echoable(name, [value])
        return value

    def required_text(self, name: str, *, echoed: bool = False) -> str:
        value = self.text(name, echoed=echoed)
        if not value:
            raise missing_parameter(name)
        return value

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _bad(name, value, "Must be an integer.")
        try:
            return int(value)
        except ValueError:
            raise _bad(name, value, "Must be an integer.") from None

    def boolean(self, name: str) -> bool | None:
        """A JSON boolean, or the query protocol's `true`/`false` (any case)."""
        value = self.raw.get(name)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _bad(name, value, "Must be a boolean.")

    def text_list(self, name: str, *, echoed: bool = False) -> list[str]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _bad(name, value, "Must be a list of strings.")
        if echoed:
            _check_echoable(name, value)
        return value

    def text_map(self, name: str, *, echoed: bool = False) -> dict[str, str]:
        value = self.raw.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise _bad(name, value, "Must be a map of strings.")
        if echoed:
            _check_echoable(name, [*value, *value.values()])
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise _bad(name, value, "Must be a map.")
        return value

    def entries(self, name: str) -> list[Params]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise _bad(name, value, "Must be a list of structures.")
        return [Params(item) for item in value]
