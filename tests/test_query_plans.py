"""Every statement the server runs on a hot table is an index search, never a scan: its cost must not grow
with the backlog or the number of queues. The statements are the production ones, recorded with --trace-sql
while boto3 drives every kind of queue through sends, receives, dead-lettering, moves, purges and expiry."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from conformance.clients import sqs_client
from persistence import messages
from persistence.migrate import migrate
from tests.harness import ServerProcess

HOT_TABLES = r"messages|fifo_groups|fifo_dedup|receive_attempts|move_tasks"


def workload(server: ServerProcess) -> None:
    sqs = sqs_client(server.url, "json")
    dlq = sqs.create_queue(QueueName="plans-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    standard = sqs.create_queue(QueueName="plans", Attributes={"RedrivePolicy": redrive}, tags={"t": "v"})
    fifo = sqs.create_queue(QueueName="plans.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for url, extra in ((standard["QueueUrl"], {}), (standard["QueueUrl"], {"MessageGroupId": "g"})):
        sqs.send_message(QueueUrl=url, MessageBody="one", **extra)
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "b", **extra} for i in range(3)]
        )
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=5)["Messages"]
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0
        )
        sqs.delete_message(QueueUrl=url, ReceiptHandle=got[1]["ReceiptHandle"])
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)  # dead-letters
    for n in range(3):
        sqs.send_message(
            QueueUrl=fifo, MessageBody=f"f{n}", MessageGroupId="g", MessageDeduplicationId=f"d{n}"
        )
    sqs.send_message(QueueUrl=fifo, MessageBody="f0", MessageGroupId="g", MessageDeduplicationId="d0")
    for _ in range(2):
        got = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="a")[
            "Messages"
        ]
    sqs.change_message_visibility(QueueUrl=fifo, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
    sqs.delete_message_batch(QueueUrl=fifo, Entries=[{"Id": "0", "ReceiptHandle": got[1]["ReceiptHandle"]}])
    sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])
    task = sqs.start_message_move_task(SourceArn=dlq_arn)
    sqs.list_message_move_tasks(SourceArn=dlq_arn)
    sqs.list_dead_letter_source_queues(QueueUrl=dlq)
    sqs.list_queue_tags(QueueUrl=standard["QueueUrl"])
    sqs.purge_queue(QueueUrl=fifo)
    server.advance(15 * 86400)  # past every retention period: the sweep deletes what is left
    sqs.receive_message(QueueUrl=standard["QueueUrl"], WaitTimeSeconds=1)
    del task


def plans(trace: Path, database: Path) -> dict[str, str]:
    """Each distinct statement (values masked) that reads or writes a hot table, with its query plan."""
    conn = sqlite3.connect(database)
    found: dict[str, str] = {}
    for statement in trace.read_text().splitlines():
        if not re.match(r"(SELECT|UPDATE|DELETE|INSERT|WITH)\b", statement, re.I):
            continue
        shape = re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", statement)
        if shape in found or not re.search(rf"\b({HOT_TABLES})\b", statement):
            continue
        # Planned with the values masked, as production binds them: a literal could pick a partial index
        # that a bound parameter cannot.
        rows = conn.execute("EXPLAIN QUERY PLAN " + shape, [None] * shape.count("?")).fetchall()
        found[shape] = " | ".join(row[3] for row in rows)
    conn.close()
    return found


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("plans")
    trace = folder / "statements.sql"
    with ServerProcess(folder / "data", "--trace-sql", str(trace), "--controllable-clock").start() as server:
        workload(server)
    return plans(trace, folder / "data" / "posthouse.db")


def test_the_workload_reaches_every_hot_table(recorded: dict[str, str]) -> None:
    touched = {table for shape in recorded for table in re.findall(rf"\b({HOT_TABLES})\b", shape)}
    assert touched == set(HOT_TABLES.split("|"))


def test_no_statement_scans_a_hot_table(recorded: dict[str, str]) -> None:
    scans = {shape: plan for shape, plan in recorded.items() if re.search(rf"SCAN ({HOT_TABLES})\b", plan)}
    assert scans == {}


def _selection(claim: str) -> str:
    return claim.split("WHERE id IN (", 1)[1].rsplit(")", 1)[0]


@pytest.mark.parametrize(
    ("statement", "params", "index"),
    [
        (_selection(messages._CLAIM), (1, 1, 1, 10), "messages_by_visibility"),
        # Fair queues under a noisy tenant (the workload above has none): distinct groups by skip-scan.
        (messages._GROUP_IDS, {"queue": 1, "limit": 10}, "messages_by_group"),
    ],
)
def test_statement_searches_its_index(statement: str, params: object, index: str) -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params))  # type: ignore[arg-type]
    assert f"USING {index}" in plan or f"INDEX {index}" in plan
    assert not re.search(rf"SCAN ({HOT_TABLES})\b", plan), plan


def test_visible_messages_are_counted_in_the_index_alone() -> None:
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + messages.COUNT_VISIBLE, (1, 1)))
    assert "COVERING INDEX messages_by_visibility" in plan
