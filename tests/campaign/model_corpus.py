"""What the malformed-input corpora built from a botocore model share (Lambda's REST-JSON, SNS's query
protocol): a valid call of every operation with values picked per member, one mutation per case, the request
sent over a fresh connection, and the reply judged by botocore's own parser for the protocol."""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape
from botocore.parsers import ResponseParserError, create_parser

DEEP = 1000
ODD = [
    "²",
    "a" * 5000,
    "9" * 5000,
    "..",
    "\x01\x02",
    "",
    " ",
    "$LATEST:1",
    "arn:aws:lambda:::function:",
    "1e400",
]
SIGNED_FOR = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, Signature=0"
Wire = tuple[str, str, dict[str, str], bytes]
"""(method, path with its query string, headers, body)."""


class Deep:
    """A value nested DEEP levels (written as JSON text: Python's own encoder stops short of that depth)."""

    TEXT = '{"n": ' * DEEP + '"bottom"' + "}" * DEEP


def value(shape: Shape, name: str, by_name: Mapping[str, Any], depth: int = 0) -> Any:
    """A valid value for a member: `by_name`'s, else one the shape allows."""
    if name in by_name:
        return by_name[name]
    if shape.type_name == "structure":
        if depth > 3:
            return {}
        members = shape.members.items()
        return {k: value(v, k, by_name, depth + 1) for k, v in members if k in shape.required_members}
    if shape.type_name == "list":
        return [value(shape.member, name, by_name, depth + 1)]
    if shape.type_name == "map":
        return {"k": value(shape.value, name, by_name, depth + 1)}
    if shape.type_name in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if shape.type_name == "boolean":
        return True
    if shape.type_name == "blob":
        return b"{}"
    if shape.type_name == "timestamp":
        return 0
    if shape.enum:
        return shape.enum[0]
    return "corpus"


def mutations(operation: OperationModel, valid: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The valid call, then one case per member and mutation: dropped, retyped, odd, negative or a list,
    nested a thousand deep, huge."""
    shape = operation.input_shape
    members = list(shape.members) if shape is not None else []
    cases = [dict(valid)]
    for member in members:
        kind = shape.members[member].type_name if shape is not None else "string"
        for bad in (
            None,
            "not-a-structure" if kind in ("structure", "map", "list") else {"a": 1},
            rng.choice(ODD),
            -1 if kind in ("integer", "long") else [1, 2],
            Deep(),
            10**20,
        ):
            case = dict(valid)
            if bad is None:
                case.pop(member, None)
            else:
                case[member] = bad
            cases.append(case)
    return cases


def every_call(
    service: str, by_name: Mapping[str, Any], seed: int, rounds: int
) -> Iterator[tuple[OperationModel, dict[str, Any], list[dict[str, Any]]]]:
    """Per pass and operation of the service's botocore model: the operation, a valid call of it, and that
    call with each mutation (the valid one first)."""
    model = botocore.session.get_session().get_service_model(service)
    rng = random.Random(seed)
    for _ in range(rounds):
        for name in model.operation_names:
            operation = model.operation_model(name)
            shape = operation.input_shape
            valid = {k: value(v, k, by_name) for k, v in shape.members.items()} if shape is not None else {}
            yield operation, valid, mutations(operation, valid, rng)


def send(netloc: str, wire: Wire, service: str) -> tuple[int, dict[str, str], bytes]:
    method, path, headers, body = wire
    connection = http.client.HTTPConnection(netloc, timeout=30)
    try:
        signed = {"Authorization": SIGNED_FOR.format(service=service)}
        connection.request(method, path, body=body, headers={**headers, **signed})
        reply = connection.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        connection.close()


def problem(
    protocol: str, operation: OperationModel, status: int, headers: dict[str, str], body: bytes
) -> str | None:
    """Why this reply would trouble a client (a 5xx, a reply botocore cannot parse, an error without a
    code), or None."""
    if status >= 500:
        return f"HTTP {status}: {body[:200]!r}"
    try:
        parsed = create_parser(protocol).parse(
            {"status_code": status, "headers": headers, "body": body}, operation.output_shape
        )
    except ResponseParserError as error:
        return f"unparseable reply: {error}"
    if status >= 300 and not parsed.get("Error", {}).get("Code"):
        return f"error without a code: {body[:200]!r}"
    return None


def command_line(description: str, replay: Callable[[str, int, int], dict[str, Any]], seed: int) -> None:
    """A corpus module's `python -m` entry: replay it against --endpoint or a Posthouse of this checkout,
    print the figures as JSON, exit 1 when a reply was a problem."""
    from tests.campaign.runner import target  # (it starts servers: only when run from the command line)

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument(
        "--rounds", type=int, default=3, help="passes over the model, each with other odd values"
    )
    parser.add_argument("--endpoint")
    args = parser.parse_args()
    with target(args.endpoint, "--in-memory") as (endpoint, _):
        figures = replay(endpoint, args.seed, args.rounds)
    json.dump(figures, sys.stdout, indent=2)
    print()
    sys.exit(1 if figures["problems"] else 0)
