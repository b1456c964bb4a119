"""Lambda functions as boto3's `lambda` client drives them: the registry (create, get, list, update, delete,
tags) with AWS's shapes and errors, and Python handlers really run in warm workers — results, errors as AWS
reports them, the log tail, the timeout, Event and DryRun invocations, and a handler's own boto3 calls
reaching this server."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import uuid
import zipfile
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import sqs_client
from tests.harness import ServerProcess

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
HANDLER = """
import json, os, time
import boto3

def handler(event, context):
    print("got", json.dumps(event))
    if event.get("fail"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("queue_url"):
        sqs = boto3.client("sqs")  # AWS_ENDPOINT_URL and the region come from the function's environment
        sqs.send_message(QueueUrl=event["queue_url"], MessageBody="from " + context.function_name)
    return {
        "echo": event,
        "name": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 3000,
        "colour": os.environ.get("COLOUR"),
    }
"""


def zipped(source: str, name: str = "handler.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


def new_function(
    lam: BaseClient,
    runtime: str,
    handler: str,
    package: bytes,
    variables: dict[str, str],
    prefix: str = "fn",
    **extra: Any,
) -> str:
    """A new function of this runtime, handler and zip, with these environment variables."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": package},
        Environment={"Variables": variables},
        **extra,
    )
    return name


def python_function(
    lam: BaseClient, source: str, variables: dict[str, str], prefix: str = "fn", **extra: Any
) -> str:
    """A new Python function running `source` as handler.handler, with these environment variables."""
    return new_function(lam, "python3.12", "handler.handler", zipped(source), variables, prefix, **extra)


@pytest.fixture
def function(lam: BaseClient) -> str:
    return python_function(lam, HANDLER, {"COLOUR": "blue"})


def _invoke(lam: BaseClient, name: str, event: dict[str, object], **extra: str) -> dict[str, object]:
    reply: dict[str, object] = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **extra)
    return reply


def test_create_answers_201_with_awss_configuration(lam: BaseClient) -> None:
    name = f"fn-{uuid.uuid4().hex[:8]}"
    package = zipped(HANDLER)
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="handler.handler",
        Code={"ZipFile": package},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert (created["Timeout"], created["MemorySize"], created["Version"]) == (3, 128, "$LATEST")
    assert created["CodeSize"] == len(package)
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert created["State"] == "Pending"
    got = lam.get_function(FunctionName=name)
    assert (
        got["Configuration"]["State"] == "Active" and got["Configuration"]["LastUpdateStatus"] == "Successful"
    )
    assert lam.get_function_configuration(FunctionName=created["FunctionArn"])["FunctionName"] == name
    assert name in [f["FunctionName"] for f in lam.list_functions(MaxItems=1000)["Functions"]]
    with pytest.raises(ClientError) as raised:
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="handler.handler",
            Code={"ZipFile": package},
        )
    assert raised.value.response["Error"]["Code"] == "ResourceConflictException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_bad_input_gets_lambdas_errors(lam: BaseClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"Runtime": "cobol42"}, "InvalidParameterValueException"),
        ({"Role": "not-a-role"}, "ValidationException"),
        ({"FunctionName": "has space"}, "ValidationException"),
        ({"Timeout": 901}, "ValidationException"),
        ({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException"),
    ]
    for change, code in cases:
        arguments: dict[str, Any] = {
            "FunctionName": f"fn-{uuid.uuid4().hex[:8]}",
            "Runtime": "python3.12",
            "Role": ROLE,
            "Handler": "handler.handler",
            "Code": {"ZipFile": zipped(HANDLER)},
        } | change
        with pytest.raises(ClientError) as raised:
            lam.create_function(**arguments)
        assert raised.value.response["Error"]["Code"] == code, change


def test_a_missing_function_is_not_found(lam: BaseClient) -> None:
    with pytest.raises(ClientError) as raised:
        lam.get_function(FunctionName="nothing-here")
    error = raised.value.response
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert (
        error["Error"]["Message"]
        == "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nothing-here"
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_invoke_runs_the_handler_with_its_context_and_environment(lam: BaseClient, function: str) -> None:
    reply = _invoke(lam, function, {"hello": "world"}, LogType="Tail")
    assert reply["StatusCode"] == 200 and "FunctionError" not in reply
    assert reply["ExecutedVersion"] == "$LATEST"
    result = json.loads(reply["Payload"].read())  # type: ignore[attr-defined]
    assert result == {
        "echo": {"hello": "world"},
        "name": function,
        "arn": f"arn:aws:lambda:us-east-1:000000000000:function:{function}",
        "memory": "128",
        "remaining_ok": True,
        "colour": "blue",
    }
    log = base64.b64decode(str(reply["LogResult"])).decode()
    assert (
        'got {"hello": "world"}' in log
        and log.startswith("START RequestId: ")
        and "REPORT RequestId: " in log
    )


def test_a_raising_handler_is_reported_as_aws_reports_it(lam: BaseClient, function: str) -> None:
    reply = _invoke(lam, function, {"fail": True})
    assert (reply["StatusCode"], reply["FunctionError"]) == (200, "Unhandled")
    error = json.loads(reply["Payload"].read())  # type: ignore[attr-defined]
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "asked to fail")
    assert any("handler.py" in line for line in error["stackTrace"])
    assert _invoke(lam, function, {})["StatusCode"] == 200  # the worker is still good


def test_a_handler_past_its_timeout_is_stopped(lam: BaseClient, function: str) -> None:
    lam.update_function_configuration(FunctionName=function, Timeout=1)
    started = time.monotonic()
    reply = _invoke(lam, function, {"sleep": 30})
    assert time.monotonic() - started < 10
    error = json.loads(reply["Payload"].read())  # type: ignore[attr-defined]
    assert reply["FunctionError"] == "Unhandled"
    assert error["errorMessage"] == "Task timed out after 1.00 seconds"


def test_a_handlers_boto3_calls_reach_this_server(
    lam: BaseClient, function: str, server: ServerProcess
) -> None:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(QueueName=f"from-lambda-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    _invoke(lam, function, {"queue_url": url})
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == f"from {function}"


def test_event_invocations_answer_202_and_run_and_dry_runs_204(
    lam: BaseClient, function: str, server: ServerProcess
) -> None:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(QueueName=f"from-event-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    assert _invoke(lam, function, {"queue_url": url}, InvocationType="Event")["StatusCode"] == 202
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]["Body"] == f"from {function}"
    assert _invoke(lam, function, {}, InvocationType="DryRun")["StatusCode"] == 204


def test_new_code_runs_at_once_and_a_deleted_function_is_gone(lam: BaseClient, function: str) -> None:
    lam.update_function_code(
        FunctionName=function, ZipFile=zipped("def handler(event, context):\n    return 'v2'\n")
    )
    assert json.loads(_invoke(lam, function, {})["Payload"].read()) == "v2"  # type: ignore[attr-defined]
    broken = zipped("import nothing_of_the_sort\n")
    lam.update_function_code(FunctionName=function, ZipFile=broken)
    error = json.loads(_invoke(lam, function, {})["Payload"].read())  # type: ignore[attr-defined]
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert lam.delete_function(FunctionName=function)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as raised:
        lam.delete_function(FunctionName=function)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_tags_and_an_invalid_payload(lam: BaseClient, function: str) -> None:
    arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"team": "a", "env": "ci"})
    lam.untag_resource(Resource=arn, TagKeys=["env"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    with pytest.raises(ClientError) as raised:
        lam.invoke(FunctionName=function, Payload=b"{not json")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"
