"""Input found by the break-it campaign to cause 5xx: each is now an AWS client error, never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from tests.harness import ServerProcess
from tests.test_wire import FORM_TYPE, JSON_TYPE, call

DEEP = 1000


def forged_handle(row_id: int) -> str:
    text = f"{row_id}:1:00000000-0000-0000-0000-000000000000:00000000"
    return base64.b64encode(text.encode()).decode()


def json_body(operation: str, raw: bytes, server: ServerProcess) -> tuple[int, bytes]:
    status, _, body = call(
        server, "POST", "/", raw, Content_Type=JSON_TYPE, X_Amz_Target=f"AmazonSQS.{operation}"
    )
    return status, body


@pytest.fixture
def queue_path(server: ServerProcess) -> str:
    payload = json.dumps({"QueueName": "hostile"}).encode()
    status, body = json_body("CreateQueue", payload, server)
    assert status == 200, body
    url: str = json.loads(body)["QueueUrl"]
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"QueueName": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"QueueName": "q", "Attributes": {"Policy": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}}",
        b'{"QueueName": "q", "tags": {"k": ' + b"[" * DEEP + b"]" * DEEP + b"}}",
    ],
)
def test_json_nested_a_thousand_deep(server: ServerProcess, raw: bytes) -> None:
    status, body = json_body("CreateQueue", raw, server)
    assert 400 <= status < 500, body


def test_query_name_with_a_thousand_dots(server: ServerProcess) -> None:
    form = b"Action=CreateQueue&QueueName=dots&" + b"Attribute" + b".1" * DEEP + b"=x"
    status, _, body = call(server, "POST", "/", form, Content_Type=FORM_TYPE)
    assert status < 500, body


def test_non_ascii_binary_value_json(server: ServerProcess, queue_path: str) -> None:
    payload = {
        "QueueUrl": queue_path,
        "MessageBody": "b",
        "MessageAttributes": {"bin": {"DataType": "Binary", "BinaryValue": "é"}},
    }
    status, body = json_body("SendMessage", json.dumps(payload).encode(), server)
    assert status == 400
    assert json.loads(body)["__type"].endswith("InvalidParameterValueException")


def test_non_ascii_binary_value_query(server: ServerProcess, queue_path: str) -> None:
    form = (
        "Action=SendMessage&MessageBody=b&MessageAttribute.1.Name=bin&MessageAttribute.1.Value.DataType=Binary"
        "&MessageAttribute.1.Value.BinaryValue=%C3%A9&QueueUrl=" + queue_path
    )
    status, _, body = call(server, "POST", "/", form.encode(), Content_Type=FORM_TYPE)
    assert status == 400, body
    assert b"InvalidParameterValue" in body


@pytest.mark.parametrize("row_id", [2**63, 2**64 + 5, 10**40])
@pytest.mark.parametrize("operation", ["DeleteMessage", "ChangeMessageVisibility"])
def test_forged_receipt_handle_with_a_huge_row_id(
    server: ServerProcess, queue_path: str, row_id: int, operation: str
) -> None:
    payload = {"QueueUrl": queue_path, "ReceiptHandle": forged_handle(row_id), "VisibilityTimeout": 5}
    status, body = json_body(operation, json.dumps(payload).encode(), server)
    assert status == 400, body
    assert json.loads(body)["__type"].endswith("ReceiptHandleIsInvalid")
