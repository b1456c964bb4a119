"""Bad-input campaign: random parameters for every SQS operation never get a 5xx, over both protocols."""

from __future__ import annotations

import http.client
import json
import random
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from server.services.sqs.operations import OPERATIONS
from tests.harness import ServerProcess

NAMES = [
    "QueueUrl",
    "QueueName",
    "Attributes",
    "AttributeNames",
    "MessageBody",
    "DelaySeconds",
    "MessageAttributes",
    "MessageSystemAttributes",
    "MessageGroupId",
    "MessageDeduplicationId",
    "Entries",
    "ReceiptHandle",
    "VisibilityTimeout",
    "WaitTimeSeconds",
    "MaxNumberOfMessages",
    "MaxResults",
    "NextToken",
    "Tags",
    "tags",
    "TagKeys",
    "Label",
    "AWSAccountIds",
    "Actions",
    "QueueNamePrefix",
    "QueueOwnerAWSAccountId",
    "MessageAttributeNames",
    "MessageSystemAttributeNames",
    "Id",
]
SCALARS: list[Any] = [
    None,
    True,
    -1,
    0,
    10**30,
    1.5,
    "",
    "x",
    "\x00",
    "\ud7ff",
    "AQEB",
    "All",
    ".*",
    "/000000000000/fuzz",
    "http://h/000000000000/fuzz",
    "a" * 300,
    "{}",
    '{"a":1}',
]


def value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(5 if depth < 2 else 1)
    if kind == 0:
        return rng.choice(SCALARS)
    if kind == 1:
        return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 2:
        return {
            rng.choice([*NAMES, "DataType", "StringValue", "BinaryValue"]): value(rng, depth + 1)
            for _ in range(rng.randrange(4))
        }
    if kind == 3:
        return [
            {"Id": rng.choice(["a", "b", "bad id"]), **{rng.choice(NAMES): value(rng, depth + 1)}}
            for _ in range(rng.randrange(12))
        ]
    return {
        "k": {
            "DataType": rng.choice(["String", "Number", "Binary", "Bogus"]),
            rng.choice(["StringValue", "BinaryValue"]): rng.choice(SCALARS),
        }
    }


def post(server: ServerProcess, body: bytes, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    try:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def flatten(prefix: str, item: Any, out: dict[str, str]) -> None:
    if isinstance(item, dict):
        for k, v in item.items():
            flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(item, list):
        for i, v in enumerate(item, 1):
            flatten(f"{prefix}.{i}", v, out)
    elif item is not None:
        out[prefix] = str(item)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_random_input_never_fails_the_server(server: ServerProcess, operation: str) -> None:
    rng = random.Random(operation)
    post(
        server,
        b'{"QueueName": "fuzz"}',
        {"X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0"},
    )
    for _ in range(40):
        params = {rng.choice(NAMES): value(rng) for _ in range(rng.randrange(1, 6))}
        params.setdefault("QueueUrl", "/000000000000/fuzz")
        status = post(
            server,
            json.dumps(params).encode(),
            {"X-Amz-Target": f"AmazonSQS.{operation}", "Content-Type": "application/x-amz-json-1.0"},
        )
        assert status < 500, (operation, params)
        form: dict[str, str] = {}
        flatten("", params, form)
        status = post(
            server,
            urlencode({"Action": operation, **form}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status < 500, (operation, form)
