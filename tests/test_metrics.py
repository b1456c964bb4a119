"""/metrics in Prometheus' text format, read back with prometheus-client's own parser: requests by
operation and status, queue depths and counts named after CloudWatch's metrics, SNS's publish figures, Lambda's
invocations, group commits; and per-resource series capped, the rest under `_other`."""

from __future__ import annotations

import json
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from conformance.clients import lambda_client, sns_client, sqs_client
from server.metrics import MAX_SERIES, OTHER, capped
from tests.harness import ServerProcess
from tests.test_lambda_functions import python_function
from tests.test_sns_topics import unique


def _scrape(server: ServerProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(server.url + "/metrics") as reply:
        assert reply.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = reply.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_what_a_scrape_shows(server: ServerProcess) -> None:
    sqs, sns = sqs_client(server.url, "json"), sns_client(server.url)
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, MaxNumberOfMessages=10)
    topic = sns.create_topic(Name=unique())["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": '{"a": ["b"]}'})
    sns.publish(TopicArn=topic, Message="filtered out")
    sns.publish(
        TopicArn=topic,
        Message="delivered",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "b"}},
    )
    metrics = _scrape(server)
    queue, on_topic = (("queue", arn),), (("topic", topic),)
    assert metrics[("posthouse_sqs_number_of_messages_sent_total", queue)] == 4  # three sent, one from SNS
    assert metrics[("posthouse_sqs_number_of_messages_received_total", queue)] == 3
    assert metrics[("posthouse_sqs_number_of_messages_deleted_total", queue)] == 1
    # b and c were received with VisibilityTimeout=0, so they are visible again, with the one from SNS
    assert metrics[("posthouse_sqs_approximate_number_of_messages_visible", queue)] == 3
    assert metrics[("posthouse_sqs_approximate_number_of_messages_not_visible", queue)] == 0
    assert metrics[("posthouse_sns_number_of_messages_published_total", on_topic)] == 2
    assert metrics[("posthouse_sns_number_of_notifications_delivered_total", on_topic)] == 1
    assert metrics[("posthouse_sns_number_of_notifications_filtered_out_total", on_topic)] == 1
    sent = (("operation", "SendMessage"), ("service", "sqs"), ("status", "200"))
    assert metrics[("posthouse_requests_total", sent)] >= 3
    assert metrics[("posthouse_request_duration_seconds_count", sent[:2])] >= 3
    assert metrics[("posthouse_db_commit_batch_size_count", ())] > 0


def test_lambda_invocations_and_errors(server: ServerProcess) -> None:
    lambda_ = lambda_client(server.url)
    code = "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('no')\n    return 1\n"
    name = python_function(lambda_, code, {})
    function = lambda_.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lambda_.invoke(FunctionName=name, Payload=b"{}")
    lambda_.invoke(FunctionName=name, Payload=json.dumps({"fail": True}).encode())
    metrics = _scrape(server)
    assert metrics[("posthouse_lambda_invocations_total", (("function", function),))] == 2
    assert metrics[("posthouse_lambda_errors_total", (("function", function),))] == 1


def test_per_resource_series_are_capped() -> None:
    samples = capped(((f"q{n}",), 1.0) for n in range(MAX_SERIES + 7))
    assert len(samples) == MAX_SERIES + 1
    assert ((OTHER,), 7.0) in samples


def test_a_mappings_batches_show(server: ServerProcess) -> None:
    sqs, lambda_ = sqs_client(server.url, "json"), lambda_client(server.url)
    url = sqs.create_queue(QueueName=unique("src"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = python_function(lambda_, "def handler(event, context):\n    return {}\n", {})
    mapping = lambda_.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, BatchSize=10)["UUID"]
    sqs.send_message(QueueUrl=url, MessageBody="job")
    label = (("mapping", mapping),)
    deadline = time.monotonic() + 20
    while _scrape(server).get(("posthouse_lambda_mapping_invocations_total", label), 0) < 1:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    metrics = _scrape(server)
    assert metrics[("posthouse_lambda_mapping_duration_seconds_total", label)] > 0
    assert metrics[("posthouse_lambda_mapping_errors_total", label)] == 0
