"""Functions as boto3's `lambda` client drives them (REST-JSON): create, invoke in its three types, errors as
the Python runtime reports them, the log tail, and Lambda's error codes for a missing function."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.lambda_.conftest import zipped

pytestmark = pytest.mark.client("boto3")

HANDLER = """
def handler(event, context):
    print("handling", event.get("n"))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"n": event.get("n"), "name": context.function_name, "left": context.get_remaining_time_in_millis() > 0}
"""


def _invoke(lam: BaseClient, name: str, event: object, **extra: str) -> tuple[dict[str, object], object]:
    reply = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **extra)
    payload = reply["Payload"].read()
    return reply, json.loads(payload) if payload else None


def test_create_function_shape(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """CreateFunction's configuration: Zip package, $LATEST, the defaults AWS fills in"""
    name = make_function(HANDLER)
    configuration = lam.get_function_configuration(FunctionName=name)
    assert configuration["FunctionName"] == name and configuration["Version"] == "$LATEST"
    assert (configuration["Timeout"], configuration["MemorySize"], configuration["PackageType"]) == (
        3,
        128,
        "Zip",
    )
    assert configuration["FunctionArn"].endswith(f":function:{name}")
    assert len(base64.b64decode(configuration["CodeSha256"])) == 32
    assert lam.get_function(FunctionName=name)["Code"]["Location"]


def test_request_response_invoke(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """Invoke RequestResponse: 200, the handler's result, $LATEST executed, the log tail with its REPORT line"""
    name = make_function(HANDLER)
    reply, result = _invoke(lam, name, {"n": 7}, LogType="Tail")
    assert (reply["StatusCode"], reply["ExecutedVersion"]) == (200, "$LATEST")
    assert "FunctionError" not in reply
    assert result == {"n": 7, "name": name, "left": True}
    log = base64.b64decode(str(reply["LogResult"])).decode()
    assert "handling 7" in log and "REPORT RequestId: " in log


def test_unhandled_error(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """A raising handler: 200 with FunctionError Unhandled and errorMessage/errorType/stackTrace"""
    name = make_function(HANDLER)
    reply, error = _invoke(lam, name, {"fail": True})
    assert (reply["StatusCode"], reply["FunctionError"]) == (200, "Unhandled")
    assert isinstance(error, dict)
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "asked to fail")
    assert isinstance(error["stackTrace"], list)


def test_event_and_dry_run(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """InvocationType Event answers 202 and DryRun 204, both without a payload"""
    name = make_function(HANDLER)
    assert _invoke(lam, name, {"n": 1}, InvocationType="Event")[0]["StatusCode"] == 202
    assert _invoke(lam, name, {"n": 1}, InvocationType="DryRun")[0]["StatusCode"] == 204


def test_missing_function(lam: BaseClient) -> None:
    """A function that does not exist is ResourceNotFoundException (404) for Get and Invoke"""
    calls: list[Callable[[], object]] = [
        lambda: lam.get_function(FunctionName="conf-no-such-function"),
        lambda: lam.invoke(FunctionName="conf-no-such-function", Payload=b"{}"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as raised:
            call()
        error = raised.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "ResourceNotFoundException",
            404,
        )


def test_duplicate_function(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """Creating a function twice is ResourceConflictException (409)"""
    name = make_function(HANDLER)
    configuration = lam.get_function_configuration(FunctionName=name)
    with pytest.raises(ClientError) as raised:
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=configuration["Role"],
            Handler="handler.handler",
            Code={"ZipFile": zipped({"handler.py": HANDLER})},
        )
    assert raised.value.response["Error"]["Code"] == "ResourceConflictException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_reserved_concurrency(lam: BaseClient, make_function: Callable[..., str]) -> None:
    """Put/Get/DeleteFunctionConcurrency; at 0 a direct invoke is TooManyRequestsException (429)"""
    name = make_function(HANDLER)
    assert (
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)[
            "ReservedConcurrentExecutions"
        ]
        == 0
    )
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 0
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName=name, Payload=b"{}")
    assert raised.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
