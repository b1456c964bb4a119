"""Malformed Lambda requests, built from botocore's Lambda model (REST-JSON) and broken on purpose.

    python -m tests.campaign.lambda_corpus [--seed 22] [--rounds 3] [--endpoint URL]

Every operation of the model is called as botocore's serializer would call it, with values picked per member
(names of a function, a mapping and a queue the replay creates first), then with one mutation per case: a
member dropped, retyped (a structure as a string, a number as text, a list as an object), oversized (5,000
characters), given odd characters (`²`, control characters, `..`), nested a thousand deep, a negative or huge
number; or at the wire: a body that is not JSON, a path label of 5,000 digits. Each reply must not be a 5xx
and must parse with botocore's rest-json parser (an error names its code). Without --endpoint it starts a
Posthouse of this checkout; the figures are one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import io
import json
import random
import sys
import zipfile
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import botocore.session
from botocore.model import OperationModel, Shape
from botocore.parsers import ResponseParserError, create_parser
from botocore.serialize import create_serializer

from tests.campaign.runner import target

FUNCTION = "corpus-function"
ROLE = "arn:aws:iam::000000000000:role/corpus"
QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:corpus-lambda-source"
DEEP = 1000


def _package() -> bytes:
    """A deployment package with one handler (a zip, as botocore takes it: bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return out.getvalue()


_ZIP = _package()
_BY_NAME: dict[str, Any] = {
    "FunctionName": FUNCTION,
    "Role": ROLE,
    "Runtime": "python3.12",
    "Handler": "handler.handler",
    "Code": {"ZipFile": _ZIP},
    "ZipFile": _ZIP,
    "EventSourceArn": QUEUE_ARN,
    "Payload": b"{}",
    "Qualifier": "$LATEST",
    "Resource": f"arn:aws:lambda:us-east-1:000000000000:function:{FUNCTION}",
    "StatementId": "corpus-statement",
    "Action": "lambda:InvokeFunction",
    "Principal": "sns.amazonaws.com",
    "Name": "corpus-alias",
    "FunctionVersion": "$LATEST",
    "Tags": {"team": "corpus"},
    "TagKeys": ["team"],
    "MaxItems": 10,
    "BatchSize": 5,
}
_ODD = ["²", "a" * 5000, "9" * 5000, "..", "\x01\x02", "", " ", "$LATEST:1", "arn:aws:lambda:::function:"]


def _value(shape: Shape, name: str, depth: int = 0) -> Any:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if shape.type_name == "structure":
        if depth > 3:
            return {}
        members = shape.members.items()
        return {k: _value(v, k, depth + 1) for k, v in members if k in shape.required_members}
    if shape.type_name == "list":
        return [_value(shape.member, name, depth + 1)]
    if shape.type_name == "map":
        return {"k": _value(shape.value, name, depth + 1)}
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


class _Deep:
    """A value nested DEEP levels (written as JSON text: Python's own encoder stops short of that depth)."""

    TEXT = '{"n": ' * DEEP + '"bottom"' + "}" * DEEP


def _deep() -> Any:
    return _Deep()


def _mutations(operation: OperationModel, valid: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    shape = operation.input_shape
    members = list(shape.members) if shape is not None else []
    cases = [dict(valid)]
    for member in members:
        kind = shape.members[member].type_name if shape is not None else "string"
        for bad in (
            None,
            "not-a-structure" if kind in ("structure", "map", "list") else {"a": 1},
            rng.choice(_ODD),
            -1 if kind in ("integer", "long") else [1, 2],
            _deep(),
            10**20,
        ):
            case = dict(valid)
            if bad is None:
                case.pop(member, None)
            else:
                case[member] = bad
            cases.append(case)
    return cases


def _wire(operation: OperationModel, params: dict[str, Any]) -> tuple[str, str, dict[str, str], bytes] | None:
    """(method, path with query, headers, body) as botocore would send them; None when it cannot serialize."""
    serializer = create_serializer("rest-json", include_validation=False)
    try:
        request = serializer.serialize_to_request(params, operation)
    except Exception:  # a value no SDK could send: sent by hand instead, below
        return None
    body = request["body"]
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, bytes):
        return None  # a payload member given as something else: sent by hand
    query = urlencode(request["query_string"], doseq=True) if request["query_string"] else ""
    path = request["url_path"] + (("&" if "?" in request["url_path"] else "?") + query if query else "")
    return request["method"], path, dict(request["headers"]), body or b""


def _raw(operation: OperationModel, params: dict[str, Any]) -> tuple[str, str, dict[str, str], bytes]:
    """A value botocore refuses to serialize (a structure as a string), sent as JSON at the route's path."""
    path = operation.http["requestUri"].split("?")[0]
    for label in [part[1:-1].rstrip("+") for part in path.split("/") if part.startswith("{")]:
        value = params.get(label, FUNCTION)
        shown = str(value) if isinstance(value, str | int) else "odd"
        path = path.replace("{" + label + "}", quote(shown, safe="")).replace("{" + label + "+}", "x")
    text = json.dumps(params, default=lambda v: "deep-marker" if isinstance(v, _Deep) else str(v))
    body = text.replace('"deep-marker"', _Deep.TEXT).encode()
    return operation.http["method"], path, {"Content-Type": "application/json"}, body


def cases(seed: int, rounds: int) -> list[tuple[str, tuple[str, str, dict[str, str], bytes]]]:
    model = botocore.session.get_session().get_service_model("lambda")
    rng = random.Random(seed)
    built = []
    for _ in range(rounds):
        for name in model.operation_names:
            operation = model.operation_model(name)
            shape = operation.input_shape
            valid = {k: _value(v, k) for k, v in shape.members.items()} if shape is not None else {}
            for params in _mutations(operation, valid, rng):
                wire = _wire(operation, params) or _raw(operation, params)
                built.append((name, wire))
            method, path, headers, _ = _wire(operation, valid) or _raw(operation, valid)
            built.append((name, (method, path, headers, b"{not json")))
    return built


def problem(model_operation: OperationModel, status: int, headers: dict[str, str], body: bytes) -> str | None:
    if status >= 500:
        return f"HTTP {status}: {body[:200]!r}"
    try:
        parsed = create_parser("rest-json").parse(
            {"status_code": status, "headers": headers, "body": body}, model_operation.output_shape
        )
    except ResponseParserError as error:
        return f"unparseable reply: {error}"
    if status >= 300 and not parsed.get("Error", {}).get("Code"):
        return f"error without a code: {body[:200]!r}"
    return None


def _setup(netloc: str) -> None:
    """The queue and the function the cases name."""
    connection = http.client.HTTPConnection(netloc, timeout=30)
    try:
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue"}
        connection.request("POST", "/", json.dumps({"QueueName": QUEUE_ARN.rsplit(":", 1)[1]}), headers)
        connection.getresponse().read()
        function = {
            "FunctionName": FUNCTION,
            "Role": ROLE,
            "Runtime": "python3.12",
            "Handler": "handler.handler",
            "Code": {"ZipFile": base64.b64encode(_ZIP).decode()},
        }
        connection.request(
            "POST", "/2015-03-31/functions", json.dumps(function), {"Content-Type": "application/json"}
        )
        connection.getresponse().read()
    finally:
        connection.close()


def replay(endpoint: str, seed: int = 22, rounds: int = 1) -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model("lambda")
    netloc = urlsplit(endpoint).netloc
    statuses: collections.Counter[int] = collections.Counter()
    problems: list[dict[str, Any]] = []
    _setup(netloc)
    built = cases(seed, rounds)
    for operation, (method, path, headers, body) in built:
        connection = http.client.HTTPConnection(netloc, timeout=30)
        try:
            signed = {
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request"
            }
            connection.request(method, path, body=body, headers={**headers, **signed})
            reply = connection.getresponse()
            answer, reply_headers = reply.read(), {k.lower(): v for k, v in reply.getheaders()}
        finally:
            connection.close()
        statuses[reply.status] += 1
        found = problem(model.operation_model(operation), reply.status, reply_headers, answer)
        if found is not None:
            problems.append({"operation": operation, "method": method, "path": path[:200], "problem": found})
    return {"cases": len(built), "statuses": dict(sorted(statuses.items())), "problems": problems[:50]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=22)
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


if __name__ == "__main__":
    main()
