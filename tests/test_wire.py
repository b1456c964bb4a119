"""Routing and error envelopes on the wire, checked with raw HTTP where SDKs would hide the details."""

from __future__ import annotations

import hashlib
import http.client
import json
import uuid
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
import xmltodict

from tests.harness import ServerProcess

JSON_TYPE = "application/x-amz-json-1.0"
FORM_TYPE = "application/x-www-form-urlencoded"


def call(
    server: ServerProcess, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def json_call(
    server: ServerProcess, operation: str, payload: object
) -> tuple[int, dict[str, str], dict[str, object]]:
    status, headers, body = call(
        server,
        "POST",
        "/",
        json.dumps(payload).encode(),
        Content_Type=JSON_TYPE,
        X_Amz_Target=f"AmazonSQS.{operation}",
    )
    return status, headers, json.loads(body)


def form_call(server: ServerProcess, path: str, **params: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    status, headers, body = call(server, "POST", path, urlencode(params).encode(), Content_Type=FORM_TYPE)
    return status, headers, xmltodict.parse(body)


def test_json_error_envelope(server: ServerProcess) -> None:
    status, headers, body = json_call(server, "GetQueueUrl", {"QueueName": "nope-" + uuid.uuid4().hex})
    assert status == 400
    assert body == {
        "__type": "com.amazonaws.sqs#QueueDoesNotExist",
        "message": "The specified queue does not exist.",
    }
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert headers["content-type"] == JSON_TYPE
    uuid.UUID(headers["x-amzn-requestid"])


def test_query_error_envelope(server: ServerProcess) -> None:
    status, _, document = form_call(
        server, "/", Action="GetQueueUrl", Version="2012-11-05", QueueName="nope-x"
    )
    assert status == 400
    error = document["ErrorResponse"]
    assert error["@xmlns"] == "http://queue.amazonaws.com/doc/2012-11-05/"
    assert error["Error"]["Type"] == "Sender"
    assert error["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    uuid.UUID(error["RequestId"])


def test_query_result_wrapper_even_when_empty(server: ServerProcess) -> None:
    status, _, document = form_call(
        server, "/", Action="ListQueues", Version="2012-11-05", QueueNamePrefix="nothing-" + uuid.uuid4().hex
    )
    assert status == 200
    assert "ListQueuesResult" in document["ListQueuesResponse"]


def test_empty_query_elements_close_themselves(server: ServerProcess) -> None:
    form = {"Version": "2012-11-05"}
    queue_url = form_call(server, "/", Action="CreateQueue", QueueName="empty-" + uuid.uuid4().hex, **form)[
        2
    ]["CreateQueueResponse"]["CreateQueueResult"]["QueueUrl"]
    received = urlencode({"Action": "ReceiveMessage", "QueueUrl": queue_url, **form}).encode()
    status, _, body = call(server, "POST", "/", received, Content_Type=FORM_TYPE)
    assert status == 200
    assert b"<ReceiveMessageResult/>" in body
    missing = urlencode({"Action": "GetQueueUrl", "QueueName": "nope-x", **form}).encode()
    status, _, body = call(server, "POST", "/", missing, Content_Type=FORM_TYPE)
    assert status == 400
    assert b"<Detail/></Error>" in body


def test_query_replies_in_json_when_asked(server: ServerProcess) -> None:
    name = "json-rendered-" + uuid.uuid4().hex

    def ask(**params: str) -> tuple[int, dict[str, str], Any]:
        form = urlencode({"Version": "2012-11-05", **params}).encode()
        status, headers, body = call(
            server, "POST", "/", form, Content_Type=FORM_TYPE, Accept="application/json"
        )
        return status, headers, json.loads(body)

    status, headers, created = ask(Action="CreateQueue", QueueName=name)
    assert (status, headers["content-type"]) == (200, "application/json")
    queue_url = created["CreateQueueResponse"]["CreateQueueResult"]["QueueUrl"]
    assert created["CreateQueueResponse"]["ResponseMetadata"]["RequestId"] == headers["x-amzn-requestid"]
    _, _, sent = ask(Action="SendMessage", QueueUrl=queue_url, MessageBody="hello")
    assert (
        sent["SendMessageResponse"]["SendMessageResult"]["MD5OfMessageBody"]
        == hashlib.md5(b"hello").hexdigest()
    )
    _, _, listed = ask(Action="ListQueues", QueueNamePrefix=name)
    assert listed["ListQueuesResponse"]["ListQueuesResult"] == {"queueUrls": [queue_url]}
    _, _, deleted = ask(Action="DeleteQueue", QueueUrl=queue_url)
    assert list(deleted["DeleteQueueResponse"]) == ["ResponseMetadata"]
    status, _, error = ask(Action="GetQueueUrl", QueueName=name + "-missing")
    assert status == 400
    assert error["Error"] == {
        "Type": "Sender",
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "The specified queue does not exist for this wsdl version.",
    }


def test_unknown_actions(server: ServerProcess) -> None:
    status, _, document = form_call(server, "/", Action="FooBar", Version="2012-11-05")
    assert status == 400
    assert document["ErrorResponse"]["Error"]["Code"] == "InvalidAction"
    assert (
        document["ErrorResponse"]["Error"]["Message"] == "The action FooBar is not valid for this endpoint."
    )
    status, _, body = json_call(server, "FooBar", {})
    assert status == 400
    assert str(body["__type"]).endswith("UnknownOperationException")


def test_queue_path_without_action_is_404(server: ServerProcess) -> None:
    status, _, body = call(server, "GET", "/000000000000/anything")
    assert status == 404
    assert body == b"<UnknownOperationException/>"


def test_create_queue_on_a_queue_path_is_invalid(server: ServerProcess) -> None:
    status, _, document = form_call(
        server, "/000000000000/q", Action="CreateQueue", Version="2012-11-05", QueueName="q"
    )
    assert status == 400
    assert document["ErrorResponse"]["Error"]["Code"] == "InvalidAction"


def test_query_on_queue_path_without_queue_url(server: ServerProcess) -> None:
    """The Java SDK v1 posts to the queue's URL and leaves QueueUrl out."""
    name = "path-" + uuid.uuid4().hex[:8]
    form_call(server, "/", Action="CreateQueue", Version="2012-11-05", QueueName=name)
    status, _, document = form_call(
        server, f"/000000000000/{name}", Action="SendMessage", MessageBody="via path"
    )
    assert status == 200
    digest = hashlib.md5(b"via path").hexdigest()
    assert document["SendMessageResponse"]["SendMessageResult"]["MD5OfMessageBody"] == digest
    status, _, document = form_call(server, f"/000000000000/{name}", Action="ReceiveMessage")
    assert document["ReceiveMessageResponse"]["ReceiveMessageResult"]["Message"]["Body"] == "via path"


def test_query_over_get_with_url_parameters(server: ServerProcess) -> None:
    signed = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, Signature=0"
    status, headers, body = call(
        server, "GET", "/?Action=ListQueues&Version=2012-11-05", Authorization=signed
    )
    assert status == 200
    assert headers["content-type"].startswith("text/xml")
    assert "ListQueuesResponse" in xmltodict.parse(body)


def test_region_from_presigned_credential(server: ServerProcess) -> None:
    name = "presigned-" + uuid.uuid4().hex[:8]
    credential = quote("AKIDEXAMPLE/20261127/eu-central-1/sqs/aws4_request", safe="")
    path = f"/?Action=CreateQueue&Version=2012-11-05&QueueName={name}&X-Amz-Credential={credential}&X-Amz-Signature=abc"
    assert call(server, "GET", path)[0] == 200
    signed = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/eu-central-1/sqs/aws4_request, Signature=x"
    params = {
        "Action": "GetQueueAttributes",
        "QueueUrl": f"/000000000000/{name}",
        "AttributeName.1": "QueueArn",
    }
    status, _, body = call(
        server, "POST", "/", urlencode(params).encode(), Content_Type=FORM_TYPE, Authorization=signed
    )
    assert status == 200
    assert f"arn:aws:sqs:eu-central-1:000000000000:{name}" in body.decode()
    # Unsigned requests fall back to the default region, where this queue does not exist.
    status, _, _ = form_call(server, "/", **params)
    assert status == 400


@pytest.mark.parametrize(
    ("operation", "payload"),
    [
        ("CreateQueue", {"QueueName": 5}),
        ("CreateQueue", {"QueueName": "ok", "Attributes": ["not", "a", "map"]}),
        ("CreateQueue", {"QueueName": "ok", "Attributes": {"VisibilityTimeout": 5}}),
        ("SendMessage", {"QueueUrl": ["x"], "MessageBody": "b"}),
        ("SendMessageBatch", {"QueueUrl": "/000000000000/x", "Entries": "nope"}),
        ("ReceiveMessage", {"QueueUrl": "/000000000000/x", "MaxNumberOfMessages": "ten"}),
        ("ListQueues", {"MaxResults": True}),
        ("ListQueues", {"NextToken": "%%%"}),
        ("ListQueues", []),
        ("DeleteMessage", {"QueueUrl": "http://x/1/2/3", "ReceiptHandle": "x"}),
    ],
)
def test_malformed_json_input_is_a_client_error(
    server: ServerProcess, operation: str, payload: object
) -> None:
    status, headers, body = json_call(server, operation, payload)
    assert 400 <= status < 500, body
    assert "x-amzn-query-error" in headers


@pytest.mark.parametrize(
    "body",
    [b"{", b"\xff\xfe", b"null", b'"string"', b"[1, 2]"],
)
def test_unparseable_json_bodies(server: ServerProcess, body: bytes) -> None:
    status, _, _ = call(
        server, "POST", "/", body, Content_Type=JSON_TYPE, X_Amz_Target="AmazonSQS.ListQueues"
    )
    assert status == 400


@pytest.mark.parametrize(
    "form",
    [
        b"Action=SendMessage&QueueUrl=%ff%fe&MessageBody=x",
        b"Action=CreateQueue&QueueName=a&Attribute.1.Name=VisibilityTimeout&Attribute.x.Value=1",
        b"Action=CreateQueue&QueueName=a&Attribute=1&Attribute.1.Name=X",
        b"Action=SendMessageBatch&QueueUrl=/000000000000/none&SendMessageBatchRequestEntry.1=oops",
        b"Action=ReceiveMessage&QueueUrl=/000000000000/none&AttributeName.1.x=y",
        b"Action=ChangeMessageVisibility&QueueUrl=/000000000000/none&ReceiptHandle=x&VisibilityTimeout=1e9",
        b"Action",
    ],
)
def test_malformed_query_input_is_a_client_error(server: ServerProcess, form: bytes) -> None:
    status, _, body = call(server, "POST", "/", form, Content_Type=FORM_TYPE)
    assert 400 <= status < 500, body


RUNNING = dict.fromkeys(("sqs", "sts", "iam", "logs", "sns", "lambda"), "running")


def test_health_and_readiness(server: ServerProcess) -> None:
    status, health = server.admin("GET", "/health")
    assert (status, health["status"], health["services"]) == (200, "ok", RUNNING)
    assert health["storage"] == {"writing": True, "problem": None, "writer_restarts": 0}
    status, body = server.admin("GET", "/_localstack/health")
    assert (status, body["services"]) == (200, RUNNING)  # LocalStack's shape
    assert server.admin("GET", "/ready") == (
        200,
        {
            "ready": True,
            "services": RUNNING,
        },
    )


def test_oversized_request_is_refused(server: ServerProcess) -> None:
    """Refused from its Content-Length, before the body is read (and chunked bodies as they grow)."""
    status, _, _ = call(
        server, "POST", "/", b"", Content_Type=FORM_TYPE, Content_Length=str(17 * 1024 * 1024)
    )
    assert status == 413
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    try:
        chunks = iter([b"Action=ListQueues&x=" + b"x" * (1024 * 1024)] * 9)
        connection.request("POST", "/", body=chunks, headers={"Content-Type": FORM_TYPE})
        assert connection.getresponse().status == 413
    except (ConnectionResetError, BrokenPipeError):
        pass  # refused while still sending (the server closed on the rest of the body): just as good
    finally:
        connection.close()


@pytest.mark.parametrize(
    "content_type",
    ["APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded ; charset=UTF-8"],
)
def test_form_media_type_matches_as_http_does(server: ServerProcess, content_type: str) -> None:
    form = urlencode({"Action": "ListQueues", "Version": "2012-11-05"}).encode()
    status, _, body = call(server, "POST", "/", form, Content_Type=content_type)
    assert status == 200
    assert "ListQueuesResponse" in xmltodict.parse(body)


def test_a_body_nobody_can_read_gets_an_error_with_a_code(server: ServerProcess) -> None:
    form = urlencode({"Action": "ListQueues", "Version": "2012-11-05"}).encode()
    status, _, body = call(server, "POST", "/", form, Content_Type="text/plain")
    assert status == 404
    assert xmltodict.parse(body)["ErrorResponse"]["Error"]["Code"] == "UnknownOperationException"
