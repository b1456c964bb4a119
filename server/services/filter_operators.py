"""The operators of filter policies and patterns: each condition of a key (`prefix`, `wildcard`,
`anything-but`, `numeric`, `cidr`, …) compiled, when the policy is set, to a test of one value; and the
errors and number rules they share with the policy compiler (server.services.filter_policy)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

MAX_NUMBER = 1e9
_LOWER = {">", ">="}
_UPPER = {"<", "<="}
STRING_TESTS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
Test = Callable[[Any], bool]


class PolicyError(ValueError):
    """What is wrong with a policy, in AWS's words (`Empty arrays are not allowed`). `whole`: AWS words this
    one without naming the FilterPolicy attribute first."""

    def __init__(self, reason: str, whole: bool = False) -> None:
        super().__init__(reason)
        self.whole = whole


@dataclass(frozen=True, slots=True)
class Grammar:
    """What a policy may say: the operators a key's conditions may use, and the string tests an
    `anything-but` may hold."""

    operators: frozenset[str]
    negatable: frozenset[str]


EVENT_PATTERNS = Grammar(
    frozenset({*STRING_TESTS, "anything-but", "numeric", "exists", "cidr"}), frozenset(STRING_TESTS)
)
"""Lambda's filter patterns (EventBridge's grammar)."""
SNS_POLICIES = Grammar(EVENT_PATTERNS.operators - {"wildcard"}, frozenset({"prefix"}))
"""SNS's filter policies: AWS documents no `wildcard` there (it refuses it as an unknown operator), and
its `anything-but` holds only a `prefix` ("Unsupported anything-but pattern: suffix", recorded on AWS)."""


def bad(reason: str) -> PolicyError:
    return PolicyError(reason)


def only_key(expression: dict[str, Any]) -> tuple[str, Any]:
    """A match expression's one operator and its operand (`{"prefix": "a"}`)."""
    if len(expression) != 1:
        raise bad("Only one key allowed in match expression")
    ((operator, operand),) = expression.items()
    return operator, operand


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_key(number: float) -> float:
    """Numbers compare to five decimal places, as AWS's do."""
    return round(float(number), 5)


def checked_number(value: Any) -> float:
    if abs(value) > MAX_NUMBER:
        raise bad("Numeric value must be between -1.0E9 and 1.0E9")
    return float(value)


def _string_operand(operator: str, operand: Any) -> str:
    if not isinstance(operand, str):
        raise bad(f"{operator} match pattern must be a string")
    return operand


def _string_test(operator: str, operand: Any) -> Test:
    pattern = _string_operand(operator, operand)
    if operator == "prefix":
        return lambda value: isinstance(value, str) and value.startswith(pattern)
    if operator == "suffix":
        return lambda value: isinstance(value, str) and value.endswith(pattern)
    if operator == "equals-ignore-case":
        folded = pattern.casefold()
        return lambda value: isinstance(value, str) and value.casefold() == folded
    if "**" in pattern:
        raise bad("Consecutive wildcard characters are not allowed")
    parts = pattern.split("*")
    return lambda value: isinstance(value, str) and glob_matches(parts, value)


def glob_matches(parts: list[str], value: str) -> bool:
    """Whether `value` matches the pattern `*`.join(parts), in time linear in its length: the first part is
    a prefix, the last a suffix, and each one between is found at its leftmost place after the one before
    (leftmost is always safe for `*`, so nothing is tried twice, unlike a backtracking regular expression)."""
    if len(parts) == 1:
        return value == parts[0]
    first, *middle, last = parts
    if len(value) < len(first) + len(last) or not value.startswith(first) or not value.endswith(last):
        return False
    at, end = len(first), len(value) - len(last)
    for part in middle:
        found = value.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True


def test_of(operator: str, operand: Any, grammar: Grammar) -> Test:
    if operator in STRING_TESTS:
        return _string_test(operator, operand)
    if operator == "anything-but":
        return _anything_but(operand, grammar)
    if operator == "numeric":
        return _numeric(operand)
    if operator == "cidr":
        return _cidr(operand)
    raise bad(f"Unrecognized match type {operator}")


def _anything_but(operand: Any, grammar: Grammar) -> Test:
    if isinstance(operand, dict):
        operator, pattern = only_key(operand)
        if operator not in grammar.negatable:
            raise bad(f"Unsupported anything-but pattern: {operator}")
        inner = _string_test(operator, pattern)
        return lambda value: isinstance(value, str) and not inner(value)
    values = operand if isinstance(operand, list) else [operand]
    if not values:
        raise bad("Empty arrays are not allowed")
    if not all(isinstance(v, str) or is_number(v) for v in values):
        raise bad("Inside anything but list, start|null|boolean is not supported.")
    strings = frozenset(v for v in values if isinstance(v, str))
    numbers = frozenset(number_key(checked_number(v)) for v in values if is_number(v))

    def test(value: Any) -> bool:
        if isinstance(value, str):
            return value not in strings
        if is_number(value):
            return number_key(value) not in numbers
        return False

    return test


def _numeric(operand: Any) -> Test:
    """`[op, n]` or `[">"/">=", low, "<"/"<=", high]`, refused with the reason AWS gives at the first
    element that does not fit."""
    if not isinstance(operand, list):
        raise bad("Value of numeric must be an array.")
    if not operand:
        raise bad("Invalid member in numeric match: ]")  # the parser met the array's end first
    items = iter(operand)
    operator = next(items)
    if not isinstance(operator, str):
        raise bad(f"Invalid member in numeric match: {_shown(operator)}")
    if operator not in {"=", *_LOWER, *_UPPER}:
        raise bad(f"Unrecognized numeric range operator: {operator}")
    bounds = [(operator, _bound(operator, next(items, None)))]
    upper = next(items, None)
    if upper is not None or len(operand) > 2:
        if operator not in _LOWER:
            raise bad("Too many elements in numeric expression")
        if not isinstance(upper, str):
            raise bad(f"Bad value in numeric range: {_shown(upper)}")
        if upper not in _UPPER:
            raise bad(f"Bad numeric range operator: {upper}")
        bounds.append((upper, _bound(upper, next(items, None))))
        if bounds[0][1] >= bounds[1][1]:
            raise bad("Bottom must be less than top")
        if len(operand) > 4:
            raise bad("Too many terms in numeric range expression")
    checks = [_compare(operator, bound) for operator, bound in bounds]
    return lambda value: is_number(value) and all(check(float(value)) for check in checks)


def _bound(operator: str, value: Any) -> float:
    if not is_number(value):
        raise bad(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    return checked_number(value)


def _shown(member: Any) -> str:
    """A JSON member as AWS's parser names it in an error: `1`, `null`, `{`."""
    if isinstance(member, dict | list):
        return "{" if isinstance(member, dict) else "["
    return orjson.dumps(member).decode()


def _compare(operator: str, bound: float) -> Callable[[float], bool]:
    key = number_key(bound)
    if operator == "=":
        return lambda value: number_key(value) == key
    if operator == ">":
        return lambda value: number_key(value) > key
    if operator == ">=":
        return lambda value: number_key(value) >= key
    if operator == "<":
        return lambda value: number_key(value) < key
    return lambda value: number_key(value) <= key


def _cidr(operand: Any) -> Test:
    text = _string_operand("cidr", operand)
    if text.count("/") != 1:
        raise bad("Malformed CIDR, one '/' required")
    address = text.split("/")[0]
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise bad(f"Nonstandard IP address: {address}") from None

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return test
