"""CloudWatch Logs filter patterns, the forms test suites use: terms (every one must appear; `"a phrase"` in
quotes; `?a ?b` any of them; `-term` none), and one JSON condition `{ $.field = value }` (also `!=`, `<`,
`<=`, `>`, `>=`, `*` wildcards in strings, `$.a.b` paths). Anything else matches nothing, rather than all."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

import orjson

from server.services.filter_operators import glob_matches

Matcher = Callable[[str], bool]
_JSON = re.compile(r"\{\s*\$\.([\w.\[\]]+)\s*(=|!=|<=|>=|<|>)\s*(.+?)\s*\}")


def compile_pattern(pattern: str | None) -> Matcher:
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        return _json_condition(text)
    try:
        terms = shlex.split(text)
    except ValueError:
        return lambda message: False
    wanted = [t for t in terms if not t.startswith(("?", "-"))]
    anyof = [t[1:] for t in terms if t.startswith("?")]
    excluded = [t[1:] for t in terms if t.startswith("-")]

    def matches(message: str) -> bool:
        return (
            all(term in message for term in wanted)
            and (not anyof or any(term in message for term in anyof))
            and not any(term in message for term in excluded)
        )

    return matches


def _json_condition(text: str) -> Matcher:
    found = _JSON.fullmatch(text)
    if found is None:
        return lambda message: False
    path, operator, raw = found[1].split("."), found[2], found[3].strip()
    quoted = raw.startswith('"') and raw.endswith('"')
    target: Any = raw[1:-1] if quoted else _number(raw)

    def matches(message: str) -> bool:
        try:
            value: Any = orjson.loads(message)
        except orjson.JSONDecodeError:
            return False
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return False
            value = value[key]
        return _compare(value, operator, target)

    return matches


def _number(raw: str) -> Any:
    try:
        return float(raw)
    except ValueError:
        return raw


def _compare(value: Any, operator: str, target: Any) -> bool:
    if isinstance(target, str):
        if not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        equal = glob_matches(target.split("*"), value)  # linear time, whatever the pattern
        return equal if operator == "=" else not equal if operator == "!=" else False
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    comparisons: dict[str, Callable[[float, float], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    return comparisons[operator](float(value), float(target))
