"""Web pages cannot drive the emulator: cross-site browser requests are refused, the admin API checks Host,
content type and (when set) a token, while SDK traffic from anywhere, other containers included, works."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from botocore.client import BaseClient

from conformance.clients import sqs_client
from tests.harness import ServerProcess
from tests.test_wire import FORM_TYPE, JSON_TYPE, call

TOKEN = "s3cret"


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(
        tmp_path_factory.mktemp("guarded") / "data",
        "--in-memory",
        "--allow-origin",
        "http://localhost:3000",
        "--admin-host",
        "posthouse.example",
        "--admin-token",
        TOKEN,
    ).start() as process:
        yield process


def queue_exists(sqs: BaseClient, url: str) -> bool:
    return url in sqs.list_queues(QueueNamePrefix=url.rsplit("/", 1)[1]).get("QueueUrls", [])


def test_an_img_tag_cannot_delete_a_queue(server: ServerProcess, sqs: BaseClient, queue_url: str) -> None:
    path = f"/?Action=DeleteQueue&QueueUrl={quote(queue_url)}"
    status, _, _ = call(server, "GET", path, Sec_Fetch_Site="cross-site", Sec_Fetch_Mode="no-cors")
    assert status == 403
    assert queue_exists(sqs, queue_url)


def test_a_cross_site_form_cannot_delete_a_queue(
    server: ServerProcess, sqs: BaseClient, queue_url: str
) -> None:
    form = f"Action=DeleteQueue&QueueUrl={quote(queue_url)}".encode()
    status, _, _ = call(server, "POST", "/", form, Content_Type=FORM_TYPE, Origin="http://evil.example")
    assert status == 403
    assert queue_exists(sqs, queue_url)


def test_an_allowed_origin_may_call(configured: ServerProcess) -> None:
    payload = json.dumps({"QueueName": "from-a-page"}).encode()
    headers = {"Content_Type": JSON_TYPE, "X_Amz_Target": "AmazonSQS.CreateQueue"}
    status, _, _ = call(configured, "POST", "/", payload, Origin="http://localhost:3000", **headers)
    assert status == 200
    status, _, _ = call(configured, "POST", "/", payload, Origin="http://localhost:3001", **headers)
    assert status == 403


def test_sdk_traffic_from_another_container_works(server: ServerProcess) -> None:
    payload = json.dumps({"QueueName": "from-a-container"}).encode()
    status, _, body = call(
        server,
        "POST",
        "/",
        payload,
        Host="posthouse:4566",
        Content_Type=JSON_TYPE,
        X_Amz_Target="AmazonSQS.CreateQueue",
    )
    assert status == 200
    assert json.loads(body)["QueueUrl"] == "http://posthouse:4566/000000000000/from-a-container"


def test_admin_refuses_a_rebound_host(server: ServerProcess) -> None:
    status, _, _ = call(server, "GET", "/admin/sqs/queues", Host="evil.example:4566")
    assert status == 403
    assert call(server, "GET", "/admin/sqs/queues", Host=f"localhost:{server.port}")[0] == 200


def test_admin_writes_take_only_json(server: ServerProcess) -> None:
    status, _, _ = call(server, "POST", "/admin/clock", b'{"advance_seconds": 0}', Content_Type="text/plain")
    assert status == 415
    status, _, _ = call(
        server, "POST", "/admin/clock", b'{"advance_seconds": 0}', Content_Type="application/json"
    )
    assert status == 200


def test_a_cross_site_page_cannot_reset(server: ServerProcess) -> None:
    status, _, _ = call(
        server, "POST", "/admin/reset", b"{}", Content_Type="application/json", Origin="http://evil.example"
    )
    assert status == 403


def test_admin_token_and_extra_hosts(configured: ServerProcess) -> None:
    assert call(configured, "GET", "/admin/sqs/queues")[0] == 401
    bearer = f"Bearer {TOKEN}"
    assert call(configured, "GET", "/admin/sqs/queues", Authorization=bearer)[0] == 200
    assert call(configured, "GET", "/admin/sqs/queues", Authorization="Bearer wrong")[0] == 401
    assert (
        call(configured, "GET", "/admin/sqs/queues", Host="posthouse.example:4566", Authorization=bearer)[0]
        == 200
    )
    assert call(configured, "GET", "/ready")[0] == 200
    sqs = sqs_client(configured.url, "json")  # the token guards the admin API, not the SQS API
    assert sqs.create_queue(QueueName="token-free")["QueueUrl"].endswith("/token-free")


def test_cors_headers_of_one_page_do_not_stick_to_later_answers(configured: ServerProcess) -> None:
    """A request that names no operation gets a fresh answer: an allowed page's CORS headers do not reach the
    next caller."""
    status, headers, _ = call(configured, "GET", "/nothing-here", Origin="http://localhost:3000")
    assert status == 404 and headers["access-control-allow-origin"] == "http://localhost:3000"
    status, headers, _ = call(configured, "GET", "/nothing-here")
    assert status == 404 and "access-control-allow-origin" not in headers
