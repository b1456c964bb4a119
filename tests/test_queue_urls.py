"""How a queue is named: every URL style on input, the style chosen for output, and a bare queue name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import pytest
import xmltodict
from botocore.client import BaseClient

from conformance.clients import sqs_client
from tests.harness import ServerProcess
from tests.test_wire import FORM_TYPE, call

ACCOUNT = "000000000000"


def body_in(sqs: BaseClient, url: str) -> str:
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    return str(messages[0]["Body"]) if messages else ""


@pytest.fixture
def twin_queues(
    server: ServerProcess, protocol: str, unique_name: Callable[[str], str]
) -> Iterator[tuple[str, BaseClient, BaseClient]]:
    """One queue name in us-east-1 and in eu-west-1, with a client for each region."""
    name = unique_name("twin")
    east, west = sqs_client(server.url, protocol), sqs_client(server.url, protocol, region="eu-west-1")
    urls = [client.create_queue(QueueName=name)["QueueUrl"] for client in (east, west)]
    yield name, east, west
    for client, url in zip((east, west), urls, strict=True):
        client.delete_queue(QueueUrl=url)


def test_a_queue_name_stands_for_its_url(twin_queues: tuple[str, BaseClient, BaseClient]) -> None:
    name, east, west = twin_queues
    east.send_message(QueueUrl=name, MessageBody="east by name")
    west.send_message(QueueUrl=name, MessageBody="west by name")
    assert body_in(east, east.get_queue_url(QueueName=name)["QueueUrl"]) == "east by name"
    assert body_in(west, name) == "west by name"
    attributes = west.get_queue_attributes(QueueUrl=name, AttributeNames=["QueueArn"])["Attributes"]
    assert attributes["QueueArn"] == f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{name}"


@pytest.mark.parametrize(
    "pattern",
    [
        "http://sqs.eu-west-1.localhost:4566/{account}/{name}",
        "http://eu-west-1.queue.localhost.localstack.cloud:4566/{account}/{name}",
        "http://localhost:4566/queue/eu-west-1/{account}/{name}",
        "https://sqs.eu-west-1.amazonaws.com/{account}/{name}",
    ],
)
def test_every_url_style_is_read_and_its_region_wins(
    twin_queues: tuple[str, BaseClient, BaseClient], pattern: str
) -> None:
    name, east, west = twin_queues
    east.send_message(QueueUrl=pattern.format(account=ACCOUNT, name=name), MessageBody="to eu-west-1")
    assert body_in(west, name) == "to eu-west-1"
    assert body_in(east, name) == ""


def test_the_older_aws_host_names_us_east_1(twin_queues: tuple[str, BaseClient, BaseClient]) -> None:
    name, east, west = twin_queues
    west.send_message(QueueUrl=f"https://queue.amazonaws.com/{ACCOUNT}/{name}", MessageBody="to us-east-1")
    assert body_in(east, name) == "to us-east-1"


def test_a_host_that_only_looks_like_sqs_names_no_region(
    twin_queues: tuple[str, BaseClient, BaseClient],
) -> None:
    name, _, west = twin_queues
    west.send_message(QueueUrl=f"http://sqs.internal:4566/{ACCOUNT}/{name}", MessageBody="signing region")
    assert body_in(west, name) == "signing region"


def test_query_request_sent_to_a_path_style_url(
    server: ServerProcess, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("path")
    sqs_client(server.url, "json", region="eu-west-1").create_queue(QueueName=name)
    form = urlencode({"Action": "SendMessage", "Version": "2012-11-05", "MessageBody": "via the path"})
    status, _, body = call(
        server, "POST", f"/queue/eu-west-1/{ACCOUNT}/{name}", form.encode(), Content_Type=FORM_TYPE
    )
    assert status == 200, body
    assert "SendMessageResult" in xmltodict.parse(body)["SendMessageResponse"]
    assert body_in(sqs_client(server.url, "json", region="eu-west-1"), name) == "via the path"


@pytest.fixture(scope="module", params=["standard", "domain", "path"])
def styled_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, str]]:
    """A server started with one `--queue-url-style`, and that style."""
    data = tmp_path_factory.mktemp(f"style-{request.param}") / "data"
    process = ServerProcess(data, "--in-memory", "--queue-url-style", request.param).start()
    yield process, request.param
    process.stop()


EXPECTED = {
    "standard": "http://sqs.{region}.localhost:{port}/{account}/{name}",
    "domain": "http://{region}.queue.localhost:{port}/{account}/{name}",
    "path": "http://localhost:{port}/queue/{region}/{account}/{name}",
}


def test_queue_urls_in_the_chosen_style(styled_server: tuple[ServerProcess, str], protocol: str) -> None:
    server, style = styled_server
    name = f"styled-{protocol}"
    for region in ("us-east-1", "eu-west-1"):
        sqs = sqs_client(f"http://localhost:{server.port}", protocol, region=region)
        expected = EXPECTED[style].format(region=region, port=server.port, account=ACCOUNT, name=name)
        assert sqs.create_queue(QueueName=name)["QueueUrl"] == expected
        assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == expected
        assert sqs.list_queues(QueueNamePrefix=name)["QueueUrls"] == [expected]
        sqs.send_message(QueueUrl=expected, MessageBody=region)
        assert body_in(sqs, expected) == region


def test_an_address_host_falls_back_to_the_path_style(styled_server: tuple[ServerProcess, str]) -> None:
    server, _ = styled_server
    sqs = sqs_client(server.url, "json", region="eu-west-1")
    url = sqs.create_queue(QueueName="by-address")["QueueUrl"]
    assert url == f"{server.url}/queue/eu-west-1/{ACCOUNT}/by-address"
