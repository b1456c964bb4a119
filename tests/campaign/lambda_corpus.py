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

import base64
import collections
import http.client
import io
import json
import zipfile
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import botocore.session
from botocore.model import OperationModel
from botocore.serialize import create_serializer

from tests.campaign.model_corpus import Deep, Wire, command_line, every_call, problem, send

FUNCTION = "corpus-function"
ROLE = "arn:aws:iam::000000000000:role/corpus"
QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:corpus-lambda-source"


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


def _wire(operation: OperationModel, params: dict[str, Any]) -> Wire | None:
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


def _raw(operation: OperationModel, params: dict[str, Any]) -> Wire:
    """A value botocore refuses to serialize (a structure as a string), sent as JSON at the route's path."""
    path = operation.http["requestUri"].split("?")[0]
    for label in [part[1:-1].rstrip("+") for part in path.split("/") if part.startswith("{")]:
        value = params.get(label, FUNCTION)
        shown = str(value) if isinstance(value, str | int) else "odd"
        path = path.replace("{" + label + "}", quote(shown, safe="")).replace("{" + label + "+}", "x")
    text = json.dumps(params, default=lambda v: "deep-marker" if isinstance(v, Deep) else str(v))
    body = text.replace('"deep-marker"', Deep.TEXT).encode()
    return operation.http["method"], path, {"Content-Type": "application/json"}, body


def cases(seed: int, rounds: int) -> list[tuple[str, Wire]]:
    built = []
    for operation, valid, calls in every_call("lambda", _BY_NAME, seed, rounds):
        built += [(operation.name, _wire(operation, params) or _raw(operation, params)) for params in calls]
        method, path, headers, _ = _wire(operation, valid) or _raw(operation, valid)
        built.append((operation.name, (method, path, headers, b"{not json")))
    return built


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
    for operation, wire in built:
        status, headers, answer = send(netloc, wire, "lambda")
        statuses[status] += 1
        found = problem("rest-json", model.operation_model(operation), status, headers, answer)
        if found is not None:
            problems.append({"operation": operation, "path": wire[1][:200], "problem": found})
    return {"cases": len(built), "statuses": dict(sorted(statuses.items())), "problems": problems[:50]}


def main() -> None:
    command_line(__doc__.splitlines()[0], replay, 22)


if __name__ == "__main__":
    main()
