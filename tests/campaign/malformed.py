"""Replay the malformed-input corpus and check every answer: never a 5xx, never a hang, always parseable.

    python -m tests.campaign.malformed [--every 1] [--endpoint URL]

Without --endpoint it starts a Posthouse of this checkout (clock controllable, so the admin cases reach it).
Each reply is parsed with botocore's own parser for the protocol the reply speaks (XML with the query parser,
JSON with the JSON parser): a success must parse as the operation's output, an error must name its code.
Figures, as one JSON object on stdout; the exit status is 1 when any case got a 5xx, an unparseable reply or
no reply within the time limit.
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import botocore.session
from botocore.model import ServiceModel
from botocore.parsers import ResponseParserError, create_parser

from tests.campaign.corpus import SETUP_QUEUES, load, models
from tests.campaign.runner import target

TIMEOUT_S = 10
SERVER_ARGS = ("--controllable-clock",)  # so the clock cases reach its validation


class Replayer:
    def __init__(self, endpoint: str) -> None:
        self._netloc = urlsplit(endpoint).netloc
        self._connection = http.client.HTTPConnection(self._netloc, timeout=TIMEOUT_S)
        self._models = dict(zip(("json", "query"), models(), strict=True))
        self._sns = botocore.session.get_session().get_service_model("sns")

    def send(self, case: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """One case on the kept-alive connection; a fresh one when the server closed it (as it may after a 4xx)."""
        body = base64.b64decode(case["body"])
        for attempt in (1, 2):
            try:
                self._connection.request(case["method"], case["path"], body, case["headers"])
                reply = self._connection.getresponse()
                payload = reply.read()
                if reply.will_close:
                    self._reconnect()
                return reply.status, {k.lower(): v for k, v in reply.getheaders()}, payload
            except (ConnectionError, http.client.HTTPException):
                self._reconnect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._connection.close()

    def _reconnect(self) -> None:
        self._connection.close()
        self._connection = http.client.HTTPConnection(self._netloc, timeout=TIMEOUT_S)

    def problem(self, case: dict[str, Any], status: int, headers: dict[str, str], body: bytes) -> str | None:
        """Why this reply would trouble a client, or None."""
        if status >= 500:
            return f"HTTP {status}"
        if case["protocol"] == "admin":
            return None if _is_json(body) else "admin reply is not JSON"
        protocol = "query" if body.lstrip().startswith(b"<") else "json"
        model, operation = self._models[protocol], case["operation"]
        answered_by = _answering_operation(body) if protocol == "query" and status < 300 else None
        if answered_by is not None and answered_by not in model.operation_names:
            # A mutated action another service on the port offers (with the Version garbled, the action
            # decides): that service answered, in its own shapes.
            model, operation = self._sns, answered_by
        output = _output_shape(model, operation)
        try:
            parsed = create_parser(protocol).parse(
                {"status_code": status, "headers": headers, "body": body}, output
            )
        except ResponseParserError as error:
            return f"unparseable {protocol} reply: {error}"
        if status >= 300 and not parsed.get("Error", {}).get("Code"):
            return f"{protocol} error without a code: {body[:200]!r}"
        return None


def _answering_operation(body: bytes) -> str | None:
    """`ListTopics` for an XML reply `<ListTopicsResponse …>`."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    name = root.tag.rpartition("}")[2]
    return name.removesuffix("Response") if name.endswith("Response") else None


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _output_shape(model: ServiceModel, operation: str) -> Any:
    return model.operation_model(operation).output_shape


def setup(replayer: Replayer) -> None:
    for name in SETUP_QUEUES:
        attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
        case = {
            "method": "POST",
            "path": "/",
            "headers": {
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "AmazonSQS.CreateQueue",
            },
            "body": base64.b64encode(
                json.dumps({"QueueName": name, "Attributes": attributes}).encode()
            ).decode(),
        }
        status, _, body = replayer.send(case)
        assert status == 200, body


def replay(endpoint: str, every: int = 1) -> dict[str, Any]:
    corpus = load()[::every]
    replayer = Replayer(endpoint)
    setup(replayer)
    statuses: collections.Counter[int] = collections.Counter()
    problems: list[dict[str, Any]] = []
    started = time.monotonic()
    for number, case in enumerate(corpus):
        try:
            status, headers, body = replayer.send(case)
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            problems.append({"case": number * every, "problem": f"no reply: {error!r}"})
            continue
        statuses[status] += 1
        if found := replayer.problem(case, status, headers, body):
            problems.append({"case": number * every, "operation": case["operation"], "problem": found})
    health, _, _ = replayer.send({"method": "GET", "path": "/health", "headers": {}, "body": ""})
    replayer.close()
    return {
        "cases": len(corpus),
        "seconds": round(time.monotonic() - started, 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "problems": problems[:50],
        "problem_count": len(problems),
        "healthy_after": health == 200,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="replay every n-th case only")
    parser.add_argument("--endpoint")
    args = parser.parse_args()
    with target(args.endpoint, *SERVER_ARGS) as (endpoint, _):
        figures = replay(endpoint, args.every)
    json.dump(figures, sys.stdout, indent=1)
    print()
    sys.exit(1 if figures["problem_count"] or not figures["healthy_after"] else 0)


if __name__ == "__main__":
    main()
