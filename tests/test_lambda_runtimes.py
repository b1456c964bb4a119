"""Functions beyond Python, as boto3's `lambda` client drives them: Node.js handlers (async and callback
styles, ES modules, errors and logs as Lambda's Node.js runtime reports them) and functions served by the
user at the URL their `POSTHOUSE_FUNCTION_URL` variable names, called the way the Runtime Interface Emulator
is (a small HTTP server in the test plays the function)."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.client import BaseClient

from conformance.clients import sqs_client
from tests.harness import ServerProcess
from tests.test_lambda_functions import new_function, zipped

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

NODE_ASYNC = """
exports.handler = async (event, context) => {
  console.log("got", JSON.stringify(event));
  if (event.fail) throw new TypeError("asked to fail");
  return {
    echo: event,
    name: context.functionName,
    arn: context.invokedFunctionArn,
    requestId: context.awsRequestId,
    remainingOk: context.getRemainingTimeInMillis() > 0,
    colour: process.env.COLOUR,
  };
};
"""
NODE_CALLBACK = """
exports.handler = function (event, context, callback) {
  setTimeout(() => event.fail ? callback(new Error("called back failing")) : callback(null, {doubled: event.n * 2}), 5);
};
"""
NODE_MODULE = """
export const handler = async (event) => ({ module: true, n: event.n });
"""


def node_function(lam: BaseClient, source: str, file: str = "index.js", **extra: Any) -> str:
    package = zipped(source, file)
    return new_function(lam, "nodejs20.x", "index.handler", package, {"COLOUR": "green"}, "node", **extra)


def _invoke(lam: BaseClient, name: str, event: dict[str, Any], **extra: str) -> tuple[dict[str, Any], Any]:
    reply: dict[str, Any] = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **extra)
    return reply, json.loads(reply["Payload"].read())


@needs_node
def test_an_async_node_handler_runs_with_its_context_and_log(lam: BaseClient) -> None:
    name = node_function(lam, NODE_ASYNC)
    reply, result = _invoke(lam, name, {"hello": "world"}, LogType="Tail")
    assert "FunctionError" not in reply
    assert result["echo"] == {"hello": "world"} and result["name"] == name
    assert result["arn"].endswith(f":function:{name}") and result["remainingOk"] is True
    assert result["colour"] == "green"
    log = base64.b64decode(reply["LogResult"]).decode()
    # Lambda's Node.js runtime prefixes each console line with the time, the request id and the level.
    assert f'\t{result["requestId"]}\tINFO\tgot {{"hello":"world"}}\n' in log


@needs_node
def test_a_throwing_node_handler_is_reported_as_the_node_runtime_reports_it(lam: BaseClient) -> None:
    name = node_function(lam, NODE_ASYNC)
    reply, error = _invoke(lam, name, {"fail": True})
    assert reply["FunctionError"] == "Unhandled"
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "asked to fail")
    assert error["trace"][0] == "TypeError: asked to fail"
    assert any("index.js" in line for line in error["trace"])
    assert "FunctionError" not in _invoke(lam, name, {})[0]  # the worker is still good


@needs_node
def test_callback_style_and_es_module_handlers(lam: BaseClient) -> None:
    callback = node_function(lam, NODE_CALLBACK)
    assert _invoke(lam, callback, {"n": 21})[1] == {"doubled": 42}
    reply, error = _invoke(lam, callback, {"fail": True})
    assert reply["FunctionError"] == "Unhandled" and error["errorMessage"] == "called back failing"
    module = node_function(lam, NODE_MODULE, file="index.mjs")
    assert _invoke(lam, module, {"n": 7})[1] == {"module": True, "n": 7}


@needs_node
def test_a_missing_node_module_or_handler(lam: BaseClient) -> None:
    missing = node_function(lam, NODE_ASYNC, file="other.js")
    reply, error = _invoke(lam, missing, {})
    assert reply["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert "Cannot find module 'index'" in error["errorMessage"]
    unexported = node_function(lam, "exports.other = async () => 1;")
    error = _invoke(lam, unexported, {})[1]
    assert error == {
        "errorType": "Runtime.HandlerNotFound",
        "errorMessage": "index.handler is undefined or not exported",
        "trace": [],
    }


@needs_node
def test_a_node_handler_past_its_timeout_is_stopped(lam: BaseClient) -> None:
    name = node_function(lam, "exports.handler = () => new Promise(() => {});", Timeout=1)
    started = time.monotonic()
    reply, error = _invoke(lam, name, {})
    assert time.monotonic() - started < 10
    assert reply["FunctionError"] == "Unhandled"
    assert error["errorMessage"] == "Task timed out after 1.00 seconds"


def test_a_runtime_posthouse_cannot_run_fails_at_invoke_time_saying_why(lam: BaseClient) -> None:
    package = zipped("class Handler {}", "Handler.java")
    name = new_function(lam, "java21", "example.Handler::handleRequest", package, {}, "java")
    reply, error = _invoke(lam, name, {})
    assert reply["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.Unavailable"
    assert "java21" in error["errorMessage"] and "POSTHOUSE_FUNCTION_URL" in error["errorMessage"]


class _Function(BaseHTTPRequestHandler):
    """Plays a function behind the Runtime Interface Emulator: the event says how to answer."""

    seen: list[tuple[str, dict[str, Any], str]] = []

    def do_POST(self) -> None:
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Function.seen.append((self.path, event, self.headers.get("Lambda-Runtime-Aws-Request-Id", "")))
        status, headers, body = 200, {"Content-Type": "text/plain"}, b""
        if event.get("raise"):  # the RIE answers a raising handler's error with status 200
            body = json.dumps({"errorType": "KeyError", "errorMessage": "'id'", "stackTrace": []}).encode()
        elif event.get("status"):
            status, body = event["status"], b"broken"
        elif event.get("sleep"):
            time.sleep(event["sleep"])
        else:
            body = json.dumps({"served": event}).encode()
            headers["X-Amz-Log-Result"] = base64.b64encode(b"served it\n").decode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # Posthouse gave up waiting
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def function_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Function)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def served_function(lam: BaseClient, url: str, **extra: Any) -> str:
    package = zipped("#!/bin/sh\n", "bootstrap")
    variables = {"POSTHOUSE_FUNCTION_URL": url}
    return new_function(lam, "provided.al2023", "bootstrap", package, variables, "served", **extra)


def test_a_served_function_gets_the_event_the_rie_way(lam: BaseClient, function_server: str) -> None:
    name = served_function(lam, function_server)
    reply, result = _invoke(lam, name, {"order": 1}, LogType="Tail")
    assert "FunctionError" not in reply and result == {"served": {"order": 1}}
    path, event, request_id = _Function.seen[-1]
    assert path == "/2015-03-31/functions/function/invocations" and event == {"order": 1}
    assert request_id == reply["ResponseMetadata"]["RequestId"]
    assert "served it" in base64.b64decode(reply["LogResult"]).decode()


def test_a_served_functions_errors(lam: BaseClient, function_server: str) -> None:
    name = served_function(lam, function_server + "/custom/path", Timeout=1)
    reply, error = _invoke(lam, name, {"raise": True})
    assert _Function.seen[-1][0] == "/custom/path"  # a URL with a path is used as it is
    assert reply["FunctionError"] == "Unhandled" and error["errorType"] == "KeyError"
    reply, error = _invoke(lam, name, {"status": 502})
    assert reply["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.ExitError"
    assert "HTTP 502" in error["errorMessage"]
    reply, error = _invoke(lam, name, {"sleep": 3})
    assert error == {"errorMessage": "Task timed out after 1.00 seconds", "errorType": "Sandbox.Timedout"}
    gone = served_function(lam, "http://127.0.0.1:9")  # nothing listens on the discard port
    reply, error = _invoke(lam, gone, {})
    assert reply["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.ExitError"


def test_a_mapping_feeds_a_served_function(
    lam: BaseClient, function_server: str, server: ServerProcess
) -> None:
    sqs = sqs_client(server.url, "json")
    url = sqs.create_queue(QueueName=f"served-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = served_function(lam, function_server)
    sqs.send_message(QueueUrl=url, MessageBody="for the served function")
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, BatchSize=1)
    deadline = time.monotonic() + 10
    while not any(
        isinstance(event.get("Records"), list) and event["Records"][0]["eventSourceARN"] == arn
        for _, event, _ in _Function.seen
    ):
        assert time.monotonic() < deadline, "the served function got no batch"
        time.sleep(0.05)
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    (record,) = next(e["Records"] for _, e, _ in _Function.seen if "Records" in e)
    assert record["body"] == "for the served function"
