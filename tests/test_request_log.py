"""A line per AWS request at log level info: when, service.operation, status, duration, what it named, the
request id; JSON lines with --log-format json (the server's other lines too); none at warning."""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

from botocore.exceptions import ClientError

from conformance.clients import sns_client, sqs_client
from tests.harness import ServerProcess


def _lines(server: ServerProcess, wanted: str) -> list[str]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # lines are written every 100 ms
        found = [line for line in server.log_path.read_text().splitlines() if wanted in line]
        if found:
            return found
        time.sleep(0.05)
    return []


def test_text_lines_name_the_operation_the_queue_and_the_outcome(data_dir: Path) -> None:
    with ServerProcess(data_dir, "--log-level", "info").start() as server:
        sqs = sqs_client(server.url, "json")
        url = sqs.create_queue(QueueName="audited")["QueueUrl"]
        reply = sqs.send_message(QueueUrl=url, MessageBody="x")
        with contextlib.suppress(ClientError):
            sqs.get_queue_url(QueueName="missing")
        (sent,) = _lines(server, "sqs.SendMessage")
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO sqs\.SendMessage 200 \d+\.\d\dms audited id=[0-9a-f-]{36}",
            sent,
        )
        assert reply["ResponseMetadata"]["RequestId"] in sent
        (refused,) = _lines(server, "sqs.GetQueueUrl")
        assert " 400 " in refused and " missing " in refused


def test_json_lines(data_dir: Path) -> None:
    with ServerProcess(data_dir, "--log-level", "info", "--log-format", "json").start() as server:
        sns = sns_client(server.url)
        topic = sns.create_topic(Name="logged")["TopicArn"]
        sns.publish(TopicArn=topic, Message="m")
        (line,) = _lines(server, '"operation":"Publish"')
        entry = json.loads(line)
        assert {k: entry[k] for k in ("level", "service", "operation", "resource", "status")} == {
            "level": "info",
            "service": "sns",
            "operation": "Publish",
            "resource": topic,
            "status": 200,
        }
        assert entry["duration_ms"] > 0 and len(entry["request_id"]) == 36
        started = [json.loads(line) for line in _lines(server, "Application startup complete")]
        assert started and started[0]["logger"] == "uvicorn.error"


def test_no_request_lines_at_warning(server: ServerProcess) -> None:
    sqs_client(server.url, "json").list_queues()
    time.sleep(0.3)
    assert "sqs.ListQueues" not in server.log_path.read_text()
