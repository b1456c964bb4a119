"""The Python runtime as AWS's runtime interface client behaves, and Lambda's payload limits: results
marshalled as AWS marshals them, logging at AWS's default level and format, the caller's client context, a
20 MB log that fails nothing, a result over 6 MB that does, and Event payloads over 1 MB refused."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from tests.test_lambda_functions import python_function

RESULTS = """
import decimal, logging

def handler(event, context):
    kind = event["kind"]
    if kind == "decimal":
        return {"price": decimal.Decimal("12.50"), "count": decimal.Decimal("3")}
    if kind == "nan":
        return float("nan")
    if kind == "bytes":
        return b"\\x00raw bytes\\xff"
    if kind == "object":
        return {"when": object()}
    if kind == "log":
        logging.info("an info line")
        logging.warning("a warning line")
        return None
    if kind == "context":
        return context.client_context.custom
    if kind == "loud":
        print("x" * (20 * 1024 * 1024))
        return "done"
    if kind == "huge":
        return "y" * 6_300_000
"""


def _run(lam: BaseClient, name: str, kind: str, **extra: Any) -> dict[str, Any]:
    reply: dict[str, Any] = lam.invoke(
        FunctionName=name, Payload=json.dumps({"kind": kind}).encode(), **extra
    )
    reply["Body"] = reply["Payload"].read()
    return reply


@pytest.fixture(scope="module")
def runtime_function(server: Any) -> str:
    from conformance.clients import lambda_client

    return python_function(lambda_client(server.url), RESULTS, {}, "marshal", Timeout=30)


def test_results_are_marshalled_as_awss_runtime_does(lam: BaseClient, runtime_function: str) -> None:
    assert _run(lam, runtime_function, "decimal")["Body"] == b'{"price": 12.50, "count": 3}'
    assert _run(lam, runtime_function, "nan")["Body"] == b"NaN"
    assert _run(lam, runtime_function, "bytes")["Body"] == b"\x00raw bytes\xff"
    failed = _run(lam, runtime_function, "object")
    assert failed["FunctionError"] == "Unhandled"
    error = json.loads(failed["Body"])
    assert error["errorType"] == "Runtime.MarshalError"
    assert (
        error["errorMessage"] == "Unable to marshal response: Object of type object is not JSON serializable"
    )


def test_logging_stays_at_warning_in_the_runtimes_format(lam: BaseClient, runtime_function: str) -> None:
    reply = _run(lam, runtime_function, "log", LogType="Tail")
    log = base64.b64decode(reply["LogResult"]).decode()
    assert "an info line" not in log
    (line,) = [line for line in log.splitlines() if "a warning line" in line]
    level, stamp, request_id, message = line.split("\t")
    assert (level, message) == ("[WARNING]", "a warning line")
    assert stamp.endswith("Z") and stamp[10] == "T"
    assert request_id == reply["ResponseMetadata"]["RequestId"]


def test_the_client_context_header_reaches_the_handler(lam: BaseClient, runtime_function: str) -> None:
    context = base64.b64encode(json.dumps({"custom": {"tenant": "t-7"}}).encode()).decode()
    assert json.loads(_run(lam, runtime_function, "context", ClientContext=context)["Body"]) == {
        "tenant": "t-7"
    }


def test_a_20_mb_log_fails_nothing(lam: BaseClient, runtime_function: str) -> None:
    reply = _run(lam, runtime_function, "loud", LogType="Tail")
    assert "FunctionError" not in reply
    assert reply["Body"] == b'"done"'
    assert len(base64.b64decode(reply["LogResult"])) <= 4096


def test_a_result_over_6_mb_is_a_function_error(lam: BaseClient, runtime_function: str) -> None:
    reply = _run(lam, runtime_function, "huge")
    assert reply["FunctionError"] == "Unhandled"
    assert json.loads(reply["Body"])["errorType"] == "Function.ResponseSizeTooLarge"


def test_an_event_payload_over_1_mb_is_refused(lam: BaseClient, runtime_function: str) -> None:
    payload = json.dumps({"kind": "x", "pad": "z" * 1_048_576}).encode()
    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName=runtime_function, InvocationType="Event", Payload=payload)
    error = refused.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (
        413,
        "RequestEntityTooLargeException",
    )
    accepted = json.dumps({"kind": "x", "pad": "z" * 900_000}).encode()
    assert (
        lam.invoke(FunctionName=runtime_function, InvocationType="Event", Payload=accepted)["StatusCode"]
        == 202
    )


@pytest.mark.parametrize("names", [["AWS_REGION"], ["TZ", "_HANDLER"], ["LAMBDA_TASK_ROOT"]])
def test_reserved_environment_keys_are_refused(lam: BaseClient, names: list[str]) -> None:
    with pytest.raises(ClientError) as refused:
        python_function(lam, RESULTS, dict.fromkeys(names, "x"), "reserved")
    message = refused.value.response["Error"]["Message"]
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert message.endswith("Reserved keys used in this request: " + ", ".join(sorted(names)))
    python_function(lam, RESULTS, {"AWS_CUSTOM_SETTING": "fine", "MY_TZ": "fine"}, "unreserved")


def test_an_event_with_line_breaks_and_odd_characters_arrives_whole(lam: BaseClient) -> None:
    echo = python_function(lam, "def handler(event, context):\n    return event\n", {}, "echo")
    event = {"text": 'line\nbreak\r\nand \u2028 \u2029 \\ " \x00 é 😀', "n": [1, 2.5, None, True]}
    payload = json.dumps(event, indent=2).encode()  # pretty-printed: line breaks between the tokens too
    assert json.loads(lam.invoke(FunctionName=echo, Payload=payload)["Payload"].read()) == event
