"""The edge as a hostile page meets it: rebound hosts refused on every route, unsigned query GETs refused
(a presigned one still works), CORS for an allowed page, and outbound deliveries that cannot call the server
that sends them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess
from tests.test_guard import queue_exists
from tests.test_wire import JSON_TYPE, call

PAGE = "http://localhost:3000"


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(
        tmp_path_factory.mktemp("edge") / "data",
        "--in-memory",
        "--allow-origin",
        PAGE,
        "--allowed-host",
        "api.example.test",
        "--allowed-host",
        "*.corp.example",
        "--base-url",
        "http://posthouse.dev.example:4566",
    ).start() as process:
        yield process


REBOUND = "evil.example:4566"
EVERY_KIND_OF_ROUTE = [
    ("GET", "/?Action=ListQueues", {}),
    ("POST", "/", {"Content_Type": JSON_TYPE, "X_Amz_Target": "AmazonSQS.ListQueues"}),
    ("GET", "/2015-03-31/functions", {}),
    ("GET", "/admin/sqs/queues", {}),
    ("GET", "/health", {}),
    ("GET", "/ready", {}),
    ("GET", "/_localstack/health", {}),
    ("GET", "/_aws/sns/sms-messages", {}),
]


@pytest.mark.parametrize(("method", "path", "headers"), EVERY_KIND_OF_ROUTE)
def test_a_rebound_host_is_refused_on_every_route(
    edge: ServerProcess, method: str, path: str, headers: dict[str, str]
) -> None:
    body = b"{}" if method == "POST" else b""
    status, _, answer = call(edge, method, path, body, Host=REBOUND, **headers)
    assert status == 403
    assert b"--allowed-host evil.example" in answer


@pytest.mark.parametrize(
    "host",
    [
        "localhost:4566",
        "127.0.0.1:4566",
        "[::1]:4566",
        "10.1.2.3",
        "posthouse:4566",  # a compose service
        "sqs.us-east-1.localhost:4566",
        "localhost.localstack.cloud:4566",
        "sqs.eu-west-1.localhost.localstack.cloud:4566",
        "host.docker.internal:4566",
        "posthouse.dev.example:4566",  # --base-url's host
        "sqs.us-east-1.posthouse.dev.example:4566",  # its queue-URL style subdomains
        "api.example.test",  # --allowed-host
        "queue.corp.example:4566",  # --allowed-host *.corp.example
        "LOCALHOST.:4566",
    ],
)
def test_local_container_and_configured_hosts_are_answered(edge: ServerProcess, host: str) -> None:
    status, _, _ = call(
        edge, "POST", "/", b"{}", Host=host, Content_Type=JSON_TYPE, X_Amz_Target="AmazonSQS.ListQueues"
    )
    assert status == 200
    assert call(edge, "GET", "/health", Host=host)[0] == 200


def test_an_unsigned_query_get_is_refused_and_changes_nothing(server: ServerProcess, queue_url: str) -> None:
    sqs = sqs_client(server.url, "json")
    sqs.send_message(QueueUrl=queue_url, MessageBody="secret")
    for action in ("ReceiveMessage", "DeleteQueue"):
        path = f"/?Action={action}&QueueUrl={quote(queue_url)}"
        status, _, body = call(server, "GET", path)  # an <img> from an old browser: no Fetch Metadata
        assert status == 403
        assert b"<Code>MissingAuthenticationToken</Code>" in body
        assert b"secret" not in body
    assert queue_exists(sqs, queue_url)
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "secret"


def test_a_same_site_image_get_is_refused(server: ServerProcess, queue_url: str) -> None:
    path = f"/?Action=DeleteQueue&QueueUrl={quote(queue_url)}"
    status, _, _ = call(server, "GET", path, Sec_Fetch_Site="same-site", Sec_Fetch_Mode="no-cors")
    assert status == 403
    assert queue_exists(sqs_client(server.url, "json"), queue_url)


def test_a_presigned_get_still_works(server: ServerProcess) -> None:
    sts = boto3.session.Session().client(
        "sts",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="111122223333",
        aws_secret_access_key="test",
    )
    url = sts.generate_presigned_url("get_caller_identity")
    assert "X-Amz-Signature=" in url
    status, _, body = call(server, "GET", url[len(server.url) :])
    assert status == 200
    assert b"<Account>111122223333</Account>" in body


def test_a_get_signed_in_its_authorization_header_works(server: ServerProcess, queue_url: str) -> None:
    url = f"{server.url}/?" + urlencode({"Action": "GetQueueUrl", "QueueName": queue_url.rsplit("/", 1)[1]})
    request = AWSRequest("GET", url)
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    headers = {k.replace("-", "_"): v for k, v in request.headers.items()}
    status, _, body = call(server, "GET", url[len(server.url) :], **headers)
    assert status == 200
    assert queue_url.encode() in body


def test_an_allowed_page_gets_its_preflight_and_reads_the_answer(edge: ServerProcess) -> None:
    asked = "authorization,content-type,x-amz-date,x-amz-target,amz-sdk-invocation-id,x-amz-user-agent"
    status, headers, _ = call(
        edge,
        "OPTIONS",
        "/",
        Origin=PAGE,
        Access_Control_Request_Method="POST",
        Access_Control_Request_Headers=asked,
        Sec_Fetch_Site="same-site",
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == PAGE
    assert "POST" in headers["access-control-allow-methods"]
    assert set(headers["access-control-allow-headers"].split(", ")) == set(asked.split(","))
    status, headers, _ = call(
        edge,
        "POST",
        "/",
        b"{}",
        Origin=PAGE,
        Sec_Fetch_Site="same-site",
        Content_Type=JSON_TYPE,
        X_Amz_Target="AmazonSQS.ListQueues",
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == PAGE
    assert "x-amzn-requestid" in headers["access-control-expose-headers"]
    status, headers, _ = call(edge, "GET", "/admin/sqs/queues", Origin=PAGE)
    assert (status, headers["access-control-allow-origin"]) == (200, PAGE)


def test_another_page_gets_no_preflight(edge: ServerProcess) -> None:
    status, headers, _ = call(
        edge, "OPTIONS", "/", Origin="http://evil.example", Access_Control_Request_Method="POST"
    )
    assert status == 403
    assert "access-control-allow-origin" not in headers


def test_an_sns_subscription_cannot_call_the_admin_routes_of_its_own_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with ServerProcess(tmp_path_factory.mktemp("loop") / "data", "--in-memory").start() as server:
        sqs = sqs_client(server.url, "json")
        queue = sqs.create_queue(QueueName="survivor")["QueueUrl"]
        sns = sns_client(server.url)
        topic = sns.create_topic(Name="attack")["TopicArn"]
        policy = {
            "http": {"defaultHealthyRetryPolicy": {"numRetries": 0}, "disableSubscriptionOverrides": False}
        }
        sns.set_topic_attributes(
            TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
        )
        arn = sns.subscribe(
            TopicArn=topic,
            Protocol="http",
            Endpoint=f"http://localhost:{server.port}/admin/reset",
            Attributes={
                "DeliveryPolicy": json.dumps({"requestPolicy": {"headerContentType": "application/json"}})
            },
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        _, subscriptions = server.admin("GET", "/admin/sns/subscriptions")
        token = next(s for s in subscriptions["subscriptions"] if s["arn"] == arn)["token"]
        sns.confirm_subscription(TopicArn=topic, Token=token)
        sns.publish(TopicArn=topic, Message="{}")
        deadline = time.monotonic() + 10
        attempts: list[dict[str, object]] = []
        while time.monotonic() < deadline and not any(a["Type"] == "Notification" for a in attempts):
            time.sleep(0.05)
            attempts = server.admin("GET", f"/admin/sns/subscriptions/{arn}/deliveries")[1]["attempts"]
        assert {(a["Type"], a["Status"]) for a in attempts} == {
            ("SubscriptionConfirmation", 403),
            ("Notification", 403),
        }
        assert queue_exists(sqs, queue)
        assert sns.list_topics()["Topics"] == [{"TopicArn": topic}]
