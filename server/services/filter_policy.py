"""Filter policies (SNS subscriptions) and filter patterns (Lambda event-source mappings), one grammar:
checked with AWS's reasons when set, compiled once, matched per message. A bad policy raises PolicyError with
AWS's reason; each service words the error around it.

A policy compiles to its alternatives (the `$or` branches multiplied out; AWS's limit of 150 combinations
bounds them): each is a list of (key path, leaf) that must all match. A leaf is one key's array of conditions,
any of which may match any of the key's values (an array attribute or body field matches if any element
does). Exact strings and numbers sit in sets, so a long list of values costs one lookup.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from server.services.message_attributes import Attributes

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_DEPTH = 32
MAX_NUMBER = 1e9
_LOWER = {">", ">="}
_UPPER = {"<", "<="}
_STRING_TESTS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
_OPERATORS = {*_STRING_TESTS, "anything-but", "numeric", "exists", "cidr"}
EVENT_PATTERN_OPERATORS = frozenset(_OPERATORS)
"""Lambda's filter patterns (EventBridge's grammar)."""
SNS_OPERATORS = frozenset(_OPERATORS - {"wildcard"})
"""SNS's filter policies: AWS documents no `wildcard` there, and refuses it as an unknown operator."""

Path = tuple[str, ...]
Test = Callable[[Any], bool]


class PolicyError(ValueError):
    """What is wrong with a policy, in AWS's words (`Empty arrays are not allowed`)."""


def _bad(reason: str) -> PolicyError:
    return PolicyError(reason)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _key(number: float) -> float:
    """Numbers compare to five decimal places, as AWS's do."""
    return round(float(number), 5)


@dataclass(frozen=True, slots=True)
class Leaf:
    strings: frozenset[str] = frozenset()
    numbers: frozenset[float] = frozenset()
    literals: tuple[Any, ...] = ()
    """true, false or null (the body's JSON literals)."""
    tests: tuple[Test, ...] = ()
    must_exist: bool = False
    must_be_absent: bool = False

    def matches(self, values: list[Any] | None) -> bool:
        """`values`: the key's values in the message; None when the key is absent."""
        if values is None:
            return self.must_be_absent
        if self.must_exist:
            return True
        for value in values:
            if isinstance(value, str):
                if value in self.strings:
                    return True
            elif _is_number(value):
                if self.numbers and _key(value) in self.numbers:
                    return True
            elif any(value is literal for literal in self.literals):
                return True
            for test in self.tests:
                if test(value):
                    return True
        return False

    @property
    def combinations(self) -> int:
        return (
            len(self.strings)
            + len(self.numbers)
            + len(self.literals)
            + len(self.tests)
            + (self.must_exist or self.must_be_absent)
        )


@dataclass(frozen=True, slots=True)
class Policy:
    body_scope: bool
    alternatives: tuple[tuple[tuple[Path, Leaf], ...], ...]

    def matches(self, facts: Facts) -> bool:
        if not self.body_scope:
            return self._matches(facts.attribute)
        body = facts.body()
        return body is not None and self._matches(lambda path: _values_at(body, path))

    def _matches(self, lookup: Callable[[Path], list[Any] | None]) -> bool:
        return any(all(leaf.matches(lookup(path)) for path, leaf in leaves) for leaves in self.alternatives)


@dataclass
class Facts:
    """One message as filter policies read it, worked out once per publish and only when asked."""

    attributes: Attributes
    message: str
    _attributes: dict[str, list[Any]] | None = None
    _body: dict[str, Any] | None = None
    _body_read: bool = False

    @classmethod
    def of_document(cls, document: dict[str, Any]) -> Facts:
        """A message whose body is this JSON object already (a Lambda filter's view of an SQS record)."""
        return cls({}, "", _body=document, _body_read=True)

    def attribute(self, path: Path) -> list[Any] | None:
        if self._attributes is None:
            self._attributes = {name: _attribute_values(value) for name, value in self.attributes.items()}
        return self._attributes.get(path[0])

    def values(self, body_scope: bool, path: Path) -> list[Any] | None:
        """The message's values at a key (an attribute, or a path into the JSON body)."""
        if not body_scope:
            return self.attribute(path)
        body = self.body()
        return None if body is None else _values_at(body, path)

    def body(self) -> dict[str, Any] | None:
        if not self._body_read:
            self._body_read = True
            try:
                parsed = orjson.loads(self.message)
            except orjson.JSONDecodeError:
                parsed = None
            self._body = parsed if isinstance(parsed, dict) else None
        return self._body


def _attribute_values(attribute: dict[str, str]) -> list[Any]:
    data_type = attribute["DataType"]
    if data_type.startswith("Binary"):
        return []  # filter policies do not read binary attributes
    text = attribute["StringValue"]
    if data_type.startswith("Number"):
        return [float(text)]
    if data_type == "String.Array":
        return [item for item in orjson.loads(text) if not isinstance(item, dict | list)]
    return [text]


def _values_at(body: dict[str, Any], path: Path) -> list[Any] | None:
    """The scalar values at a key path of a JSON body (arrays along the way fan out); None if none."""
    nodes: list[Any] = [body]
    for key in path:
        found: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and key in node:
                value = node[key]
                found.extend(value) if isinstance(value, list) else found.append(value)
        nodes = found
    leaves = [node for node in nodes if not isinstance(node, dict | list)]
    return leaves or None


# ---- checking and compiling -------------------------------------------------------------------------------


def compile_policy(
    text: str, body_scope: bool, operators: frozenset[str] = EVENT_PATTERN_OPERATORS
) -> Policy | None:
    """The policy, checked (only `operators` allowed); None for an empty one (which matches everything)."""
    if not text.strip():
        return None
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise _bad(f"failed to parse JSON. {error}") from None
    if not isinstance(document, dict):
        raise _bad("failed to parse JSON. The policy must be a JSON object")
    if not document:
        return None
    alternatives = _alternatives(document, body_scope, (), 0, operators)
    if sum(_product(leaves) for leaves in alternatives) > MAX_COMBINATIONS:
        raise _bad("Filter policy is too complex")
    for leaves in alternatives:
        if len(leaves) > MAX_KEYS:
            raise _bad(f"Filter policy can not have more than {MAX_KEYS} keys")
    return Policy(body_scope, tuple(tuple(leaves) for leaves in alternatives))


def _product(leaves: list[tuple[Path, Leaf]]) -> int:
    total = 1
    for _, leaf in leaves:
        total *= leaf.combinations
    return total


def _alternatives(
    node: dict[str, Any], body_scope: bool, path: Path, depth: int, operators: frozenset[str]
) -> list[list[tuple[Path, Leaf]]]:
    if depth > MAX_DEPTH:
        raise _bad("Filter policy is too complex")
    alternatives: list[list[tuple[Path, Leaf]]] = [[]]
    for key, value in node.items():
        if key == "$or":
            branches = _or_branches(value, body_scope, path, depth, operators)
            alternatives = [mine + theirs for mine in alternatives for theirs in branches]
        elif isinstance(value, dict):
            if not body_scope:
                raise _bad("Filter policy scope MessageAttributes does not support nested filter policy")
            nested = _alternatives(value, body_scope, (*path, key), depth + 1, operators)
            alternatives = [mine + theirs for mine in alternatives for theirs in nested]
        elif isinstance(value, list):
            leaf = (*path, key), _leaf(value, operators)
            alternatives = [[*mine, leaf] for mine in alternatives]
        else:
            raise _bad(f'"{key}" must be an object or an array')
        if len(alternatives) > MAX_COMBINATIONS:
            raise _bad("Filter policy is too complex")
    return alternatives


def _or_branches(
    value: Any, body_scope: bool, path: Path, depth: int, operators: frozenset[str]
) -> list[list[tuple[Path, Leaf]]]:
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(b, dict) and b for b in value):
        raise _bad('"$or" must be an array of at least two filter policies')
    return [
        leaves for branch in value for leaves in _alternatives(branch, body_scope, path, depth + 1, operators)
    ]


def _leaf(conditions: list[Any], operators: frozenset[str]) -> Leaf:
    if not conditions:
        raise _bad("Empty arrays are not allowed")
    strings: set[str] = set()
    numbers: set[float] = set()
    literals: list[Any] = []
    tests: list[Test] = []
    must_exist = must_be_absent = False
    for condition in conditions:
        if isinstance(condition, str):
            strings.add(condition)
        elif isinstance(condition, bool) or condition is None:
            literals.append(condition)
        elif _is_number(condition):
            numbers.add(_key(_checked_number(condition)))
        elif isinstance(condition, dict):
            if len(condition) != 1:
                raise _bad("Only one key allowed in match expression")
            ((operator, operand),) = condition.items()
            if operator not in operators:
                raise _bad(f"Unrecognized match type {operator}")
            if operator == "exists":
                if not isinstance(operand, bool):
                    raise _bad("exists match pattern must be either true or false.")
                must_exist, must_be_absent = must_exist or operand, must_be_absent or not operand
            else:
                tests.append(_test(operator, operand, operators))
        else:
            raise _bad("Match value must be String, number, true, false, or null")
    return Leaf(
        frozenset(strings), frozenset(numbers), tuple(literals), tuple(tests), must_exist, must_be_absent
    )


def _checked_number(value: Any) -> float:
    if abs(value) > MAX_NUMBER:
        raise _bad("Numeric value must be between -1.0E9 and 1.0E9")
    return float(value)


def _string_operand(operator: str, operand: Any) -> str:
    if not isinstance(operand, str):
        raise _bad(f"{operator} match pattern must be a string")
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
        raise _bad("Consecutive wildcard characters are not allowed")
    parts = pattern.split("*")
    return lambda value: isinstance(value, str) and _glob_matches(parts, value)


def _glob_matches(parts: list[str], value: str) -> bool:
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


def _test(operator: str, operand: Any, operators: frozenset[str]) -> Test:
    if operator in _STRING_TESTS:
        return _string_test(operator, operand)
    if operator == "anything-but":
        return _anything_but(operand, operators)
    if operator == "numeric":
        return _numeric(operand)
    if operator == "cidr":
        return _cidr(operand)
    raise _bad(f"Unrecognized match type {operator}")


def _anything_but(operand: Any, operators: frozenset[str]) -> Test:
    if isinstance(operand, dict):
        if len(operand) != 1:
            raise _bad("Only one key allowed in match expression")
        ((operator, pattern),) = operand.items()
        if operator not in _STRING_TESTS or operator not in operators:
            raise _bad(f"Unsupported anything-but pattern: {operator}")
        inner = _string_test(operator, pattern)
        return lambda value: isinstance(value, str) and not inner(value)
    values = operand if isinstance(operand, list) else [operand]
    if not values:
        raise _bad("Empty arrays are not allowed")
    if not all(isinstance(v, str) or _is_number(v) for v in values):
        raise _bad("Inside anything but list, start|null|boolean is not supported.")
    strings = frozenset(v for v in values if isinstance(v, str))
    numbers = frozenset(_key(_checked_number(v)) for v in values if _is_number(v))

    def test(value: Any) -> bool:
        if isinstance(value, str):
            return value not in strings
        if _is_number(value):
            return _key(value) not in numbers
        return False

    return test


def _numeric(operand: Any) -> Test:
    if not isinstance(operand, list) or not operand:
        raise _bad("Value of numeric must be an array.")
    if len(operand) > 4:
        raise _bad("Too many elements in numeric expression")
    bounds: list[tuple[str, float]] = []
    for at in range(0, len(operand), 2):
        operator = operand[at]
        if not isinstance(operator, str) or operator not in {"=", *_LOWER, *_UPPER}:
            raise _bad(f"Unrecognized numeric range operator: {operator}")
        if at + 1 >= len(operand) or not _is_number(operand[at + 1]):
            raise _bad(f"Value of {operator} must be numeric")
        bounds.append((operator, _checked_number(operand[at + 1])))
    if len(bounds) == 2:
        (low_op, low), (high_op, high) = bounds
        if low_op == "=" or low_op in _UPPER:
            raise _bad("Too many terms in numeric range expression")
        if high_op not in _UPPER:
            raise _bad(f"Bad numeric range operator: {high_op}")
        if low >= high:
            raise _bad("Bottom must be less than top")
    checks = [_compare(operator, bound) for operator, bound in bounds]
    return lambda value: _is_number(value) and all(check(float(value)) for check in checks)


def _compare(operator: str, bound: float) -> Callable[[float], bool]:
    key = _key(bound)
    if operator == "=":
        return lambda value: _key(value) == key
    if operator == ">":
        return lambda value: _key(value) > key
    if operator == ">=":
        return lambda value: _key(value) >= key
    if operator == "<":
        return lambda value: _key(value) < key
    return lambda value: _key(value) <= key


def _cidr(operand: Any) -> Test:
    text = _string_operand("cidr", operand)
    if text.count("/") != 1:
        raise _bad("Malformed CIDR, one '/' required")
    address = text.split("/")[0]
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise _bad(f"Nonstandard IP address: {address}") from None

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return test
