"""Filter policies (SNS subscriptions) and filter patterns (Lambda event-source mappings), one grammar:
checked with AWS's reasons when set, compiled once, matched per message. A bad policy raises PolicyError with
AWS's reason; each service words the error around it.

A policy compiles to its alternatives (the `$or` branches multiplied out; AWS's limit of 150 combinations
bounds them): each is a list of (key path, leaf) that must all match. A leaf is one key's array of conditions,
any of which may match any of the key's values (an array attribute or body field matches if any element
does). Exact strings and numbers sit in sets, so a long list of values costs one lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from server.services.filter_operators import (
    EVENT_PATTERNS,
    Grammar,
    PolicyError,
    Test,
    bad,
    checked_number,
    is_number,
    number_key,
    only_key,
    test_of,
)
from server.services.json_failure import parse_object
from server.services.message_attributes import Attributes

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_DEPTH = 32

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Leaf:
    strings: frozenset[str] = frozenset()
    numbers: frozenset[float] = frozenset()
    literals: tuple[Any, ...] = ()
    """true, false or null (the body's JSON literals)."""
    tests: tuple[Test, ...] = ()
    must_exist: bool = False
    must_be_absent: bool = False
    depth: int = 1
    """How deep the key sits in the policy: AWS counts a nested key's values that many times over."""

    def matches(self, values: list[Any] | None, empty: bool = False) -> bool:
        """`values`: the key's values in the message; None when the key is absent. `empty`: the message has
        no attributes (or its body is `{}`), which `exists: false` never matches, as AWS documents."""
        if values is None:
            return self.must_be_absent and not empty
        if self.must_exist and any(value is not None and value != "" for value in values):
            return True  # AWS: the key must have a non-null, non-empty value
        for value in values:
            if isinstance(value, str):
                if value in self.strings:
                    return True
            elif is_number(value):
                if self.numbers and number_key(value) in self.numbers:
                    return True
            elif any(value is literal for literal in self.literals):
                return True
            for test in self.tests:
                if test(value):
                    return True
        return False

    @property
    def combinations(self) -> int:
        conditions = (
            len(self.strings)
            + len(self.numbers)
            + len(self.literals)
            + len(self.tests)
            + self.must_exist
            + self.must_be_absent
        )
        return conditions * self.depth


@dataclass(frozen=True, slots=True)
class Policy:
    body_scope: bool
    alternatives: tuple[tuple[tuple[Path, Leaf], ...], ...]

    def matches(self, facts: Facts) -> bool:
        if not self.body_scope:
            return self._matches(facts.attribute, not facts.readable_attributes())
        body = facts.body()
        return body is not None and self._matches(lambda path: _values_at(body, path), not body)

    def _matches(self, lookup: Callable[[Path], list[Any] | None], empty: bool) -> bool:
        return any(
            all(leaf.matches(lookup(path), empty) for path, leaf in leaves) for leaves in self.alternatives
        )


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
        return self.readable_attributes().get(path[0])

    def readable_attributes(self) -> dict[str, list[Any]]:
        """Each attribute's values; binary and empty-array attributes count as absent."""
        if self._attributes is None:
            self._attributes = {
                name: values
                for name, value in self.attributes.items()
                if (values := _attribute_values(value))
            }
        return self._attributes

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
    """The scalar values at a dotted key path of a JSON body; None if none. As on AWS, a body key may hold
    dots itself (`{"a.b": 1}` and `{"a": {"b": 1}}` both answer `a.b`), and arrays along the way, nested in
    arrays or not, fan out. Each body node is reached by one chain of keys, so this is linear in the body."""
    found: list[Any] = []
    last = len(path)
    stack: list[tuple[Any, int]] = [(body, 0)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((item, at) for item in node)
        elif at == last:
            if not isinstance(node, dict):
                found.append(node)
        elif isinstance(node, dict):
            key = path[at]
            for end in range(at + 1, last + 1):
                if end > at + 1:
                    key = f"{key}.{path[end - 1]}"
                if key in node:
                    stack.append((node[key], end))
    return found or None


# ---- checking and compiling -------------------------------------------------------------------------------

Entry = tuple[Path, Leaf]
"""A key as the policy writes it (its nesting, outermost first) and its conditions."""


def compile_policy(text: str, body_scope: bool, grammar: Grammar = EVENT_PATTERNS) -> Policy | None:
    """The policy, checked against `grammar`; None for an empty one (which matches everything)."""
    if not text.strip():
        return None
    document, failure = parse_object(text)
    if failure is not None:
        raise bad(f"failed to parse JSON. {failure}")
    if not isinstance(document, dict):
        raise bad("failed to parse JSON. The policy must be a JSON object")
    if not document:
        return None
    alternatives = _alternatives(document, body_scope, (), grammar)
    if sum(_product(entries) for entries in alternatives) > MAX_COMBINATIONS:
        raise bad("Filter policy is too complex")
    for entries in alternatives:
        # Only top-level keys count (AWS's rule for nested policies; attribute policies have no others).
        if len({path[0] for path, _ in entries}) > MAX_KEYS:
            raise bad(f"Filter policy can not have more than {MAX_KEYS} keys")
    return Policy(body_scope, tuple(tuple(_looked_up(entries, body_scope)) for entries in alternatives))


def _looked_up(entries: list[Entry], body_scope: bool) -> list[Entry]:
    """Body keys as the matcher walks them: every dot splits (`{"a.b": …}` and `{"a": {"b": …}}` are one
    key); an attribute's name is taken whole."""
    if not body_scope:
        return entries
    return [(tuple(".".join(path).split(".")), leaf) for path, leaf in entries]


def _product(entries: list[Entry]) -> int:
    total = 1
    for _, leaf in entries:
        total *= leaf.combinations
    return total


def _alternatives(node: dict[str, Any], body_scope: bool, path: Path, grammar: Grammar) -> list[list[Entry]]:
    if len(path) > MAX_DEPTH:
        raise bad("Filter policy is too complex")
    alternatives: list[list[Entry]] = [[]]
    for key, value in node.items():
        if key == "$or":
            branches = _or_branches(value, body_scope, path, grammar)
            alternatives = [mine + theirs for mine in alternatives for theirs in branches]
        elif isinstance(value, dict):
            if not body_scope:
                raise PolicyError(
                    "Filter policy scope MessageAttributes does not support nested filter policy", whole=True
                )
            nested = _alternatives(value, body_scope, (*path, key), grammar)
            alternatives = [mine + theirs for mine in alternatives for theirs in nested]
        elif isinstance(value, list):
            entry = (*path, key), _leaf(value, grammar, len(path) + 1)
            alternatives = [[*mine, entry] for mine in alternatives]
        else:
            raise bad(f'"{key}" must be an object or an array')
        if len(alternatives) > MAX_COMBINATIONS:
            raise bad("Filter policy is too complex")
    return alternatives


def _or_branches(value: Any, body_scope: bool, path: Path, grammar: Grammar) -> list[list[Entry]]:
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(b, dict) and b for b in value):
        raise bad('"$or" must be an array of at least two filter policies')
    return [entries for branch in value for entries in _alternatives(branch, body_scope, path, grammar)]


def _leaf(conditions: list[Any], grammar: Grammar, depth: int) -> Leaf:
    if not conditions:
        raise bad("Empty arrays are not allowed")
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
        elif is_number(condition):
            numbers.add(number_key(checked_number(condition)))
        elif isinstance(condition, dict):
            operator, operand = only_key(condition)
            if operator not in grammar.operators:
                raise bad(f"Unrecognized match type {operator}")
            if operator == "exists":
                if not isinstance(operand, bool):
                    raise bad("exists match pattern must be either true or false.")
                must_exist, must_be_absent = must_exist or operand, must_be_absent or not operand
            else:
                tests.append(test_of(operator, operand, grammar))
        else:
            raise bad("Match value must be String, number, true, false, or null")
    return Leaf(
        frozenset(strings),
        frozenset(numbers),
        tuple(literals),
        tuple(tests),
        must_exist,
        must_be_absent,
        depth,
    )
