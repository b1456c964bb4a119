"""Seeds and init scripts, started as users start them: a seed file creates queues (with dead-letter queues,
tags, FIFO), topics with filtered subscriptions, functions from a folder and their mappings; persisted state wins
on the next start; an inline POSTHOUSE_SEED works as a file does; a bad seed stops the start in one line that
names its line; init scripts run (with `awslocal`) before `Ready.`, and /_localstack/init says how they went."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conformance.clients import lambda_client, sns_client, sqs_client
from tests.harness import REPO, ServerProcess, free_port

SEED = """\
queues:
  - name: orders-dlq
  - name: orders
    attributes:
      VisibilityTimeout: 45
    dead_letter: {queue: orders-dlq, max_receive_count: 2}
    tags: {team: shop}
  - name: jobs.fifo
    attributes: {ContentBasedDeduplication: true}
topics:
  - name: events
    subscriptions:
      - {protocol: sqs, endpoint: orders, raw: true, filter_policy: {kind: [order]}}
functions:
  - name: worker
    runtime: python3.12
    handler: app.handler
    code: worker
    environment: {GREETING: hello}
event_source_mappings:
  - {function: worker, queue: jobs.fifo, batch_size: 5}
"""
HANDLER = """\
def handler(event, context):
    return {"batchItemFailures": []}
"""


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "app.py").write_text(HANDLER)
    path = tmp_path / "seed.yaml"
    path.write_text(SEED)
    return path


def _get(url: str) -> Any:
    with urllib.request.urlopen(url) as reply:
        return json.loads(reply.read())


def test_a_seed_creates_what_it_declares_and_persisted_state_wins(data_dir: Path, seed_file: Path) -> None:
    with ServerProcess(data_dir, "--seed", str(seed_file)).start() as server:
        sqs, sns = sqs_client(server.url, "json"), sns_client(server.url)
        orders = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=orders, AttributeNames=["All"])["Attributes"]
        assert attributes["VisibilityTimeout"] == "45"
        assert json.loads(attributes["RedrivePolicy"]) == {
            "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq",
            "maxReceiveCount": 2,
        }
        assert sqs.list_queue_tags(QueueUrl=orders)["Tags"] == {"team": "shop"}
        jobs = sqs.get_queue_url(QueueName="jobs.fifo")["QueueUrl"]
        assert (
            sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["FifoQueue"])["Attributes"]["FifoQueue"]
            == "true"
        )
        topic = "arn:aws:sns:us-east-1:000000000000:events"
        kind = {"kind": {"DataType": "String", "StringValue": "order"}}
        sns.publish(TopicArn=topic, Message="placed", MessageAttributes=kind)
        sns.publish(TopicArn=topic, Message="filtered out")
        assert [
            m["Body"] for m in sqs.receive_message(QueueUrl=orders, MaxNumberOfMessages=10)["Messages"]
        ] == ["placed"]
        lambda_ = lambda_client(server.url)
        function = lambda_.get_function(FunctionName="worker")["Configuration"]
        assert (function["Runtime"], function["Environment"]["Variables"]) == (
            "python3.12",
            {"GREETING": "hello"},
        )
        (mapping,) = lambda_.list_event_source_mappings(FunctionName="worker")["EventSourceMappings"]
        assert (mapping["EventSourceArn"], mapping["BatchSize"]) == (
            "arn:aws:sqs:us-east-1:000000000000:jobs.fifo",
            5,
        )
        sqs.set_queue_attributes(QueueUrl=orders, Attributes={"VisibilityTimeout": "5"})
    with ServerProcess(data_dir, "--seed", str(seed_file), port=server.port).start() as again:
        sqs = sqs_client(again.url, "json")
        orders = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
        assert sqs.get_queue_attributes(QueueUrl=orders, AttributeNames=["VisibilityTimeout"])[
            "Attributes"
        ] == {
            "VisibilityTimeout": "5"  # what was changed since is kept
        }
        assert len(lambda_client(again.url).list_event_source_mappings()["EventSourceMappings"]) == 1


def test_an_inline_seed_from_the_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "POSTHOUSE_SEED", '{"queues": [{"name": "inline"}], "topics": [{"name": "alerts.fifo"}]}'
    )
    with ServerProcess(data_dir).start() as server:
        assert (
            sqs_client(server.url, "json").get_queue_url(QueueName="inline")["QueueUrl"].endswith("/inline")
        )
        attributes = sns_client(server.url).get_topic_attributes(
            TopicArn="arn:aws:sns:us-east-1:000000000000:alerts.fifo"
        )["Attributes"]
        assert attributes["FifoTopic"] == "true"


def _refused(data_dir: Path, seed: str, tmp_path: Path) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(seed)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "--port",
            str(free_port()),
            "--data-dir",
            str(data_dir),
            "--seed",
            str(path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    (line,) = [line for line in done.stderr.splitlines() if "posthouse:" in line]
    return line[line.index("posthouse:") :].replace(str(path), "bad.yaml")


@pytest.mark.parametrize(
    ("seed", "said"),
    [
        (
            "queues:\n  - name: a\n  - nme: b\n",
            "posthouse: bad.yaml line 3: queues.1: Additional properties are not allowed ('nme' was unexpected)",
        ),
        (
            "queues:\n  - name: a\n    dead_letter: {queue: b, max_receive_count: 0}\n",
            "posthouse: bad.yaml line 3: queues.0.dead_letter.max_receive_count: 0 is less than the minimum of 1",
        ),
        (
            "queues: [\n",
            "posthouse: bad.yaml line 2: not YAML or JSON: expected the node content, but found '<stream end>'",
        ),
        (
            "topics:\n  - name: ok\n  - name: no spaces allowed\n",
            "posthouse: bad.yaml line 3: topic no spaces allowed: InvalidParameter: Invalid parameter: Topic Name",
        ),
    ],
)
def test_a_bad_seed_stops_the_start_naming_its_line(
    data_dir: Path, tmp_path: Path, seed: str, said: str
) -> None:
    assert _refused(data_dir, seed, tmp_path) == said


def test_init_scripts_run_before_ready(data_dir: Path, tmp_path: Path) -> None:
    scripts = tmp_path / "ready.d"
    scripts.mkdir()
    (scripts / "01-queue.sh").write_text("awslocal sqs create-queue --queue-name from-init > /dev/null\n")
    (scripts / "02-check.py").write_text(
        textwrap.dedent(
            """\
            import boto3
            assert boto3.client("sqs").get_queue_url(QueueName="from-init")
            """
        )
    )
    (scripts / "03-fails.sh").write_text("exit 3\n")
    (scripts / "04-no-cli.sh").write_text(  # where there is no AWS CLI (the image), awslocal says what to do
        'said=$(PATH="$(dirname "$(command -v awslocal)"):/usr/bin:/bin" awslocal sqs list-queues 2>&1)\n'
        '[ $? = 127 ] && [ "$said" = "awslocal: no AWS CLI here (the Posthouse image has none):'
        ' write this script in Python, boto3 is there" ]\n'
    )
    (scripts / "notes.txt").write_text("not a script\n")
    started = time.monotonic()
    with ServerProcess(data_dir, "--init-dir", str(scripts)).start(timeout=60) as server:
        assert time.monotonic() - started < 60
        assert _get(server.url + "/ready")["ready"] is True
        assert _get(server.url + "/_localstack/init/ready") == {
            "completed": True,
            "scripts": [
                {"stage": "READY", "name": "01-queue.sh", "state": "SUCCESSFUL"},
                {"stage": "READY", "name": "02-check.py", "state": "SUCCESSFUL"},
                {"stage": "READY", "name": "03-fails.sh", "state": "ERROR"},
                {"stage": "READY", "name": "04-no-cli.sh", "state": "SUCCESSFUL"},
            ],
        }
        assert _get(server.url + "/_localstack/init")["completed"]["READY"] is True


def test_the_schema_is_published(server: ServerProcess) -> None:
    schema = _get(server.url + "/admin/seed.schema.json")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) >= {"queues", "topics", "functions", "event_source_mappings"}


def test_the_compose_files_seed_applies(data_dir: Path) -> None:
    """docker-compose.yml mounts tests/compose and seeds from it: the same document, applied here."""
    seed = Path(__file__).parent / "compose" / "seed.yaml"
    with ServerProcess(data_dir, "--seed", str(seed)).start() as server:
        sqs = sqs_client(server.url, "json")
        jobs = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=jobs, MessageBody="build")
        (mapping,) = lambda_client(server.url).list_event_source_mappings(FunctionName="worker")[
            "EventSourceMappings"
        ]
        assert mapping["EventSourceArn"].endswith(":jobs")
        deadline = time.monotonic() + 20  # the mapping takes the job to the function, which succeeds
        while _depth(sqs, jobs) != ("0", "0"):
            assert time.monotonic() < deadline
            time.sleep(0.1)


def _depth(sqs: Any, url: str) -> tuple[str, str]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return found[names[0]], found[names[1]]
