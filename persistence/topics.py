"""SNS topic rows: create, change, delete, load. Plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3

import orjson

from persistence.records import TopicRecord

_COLUMNS = "arn, account, region, name, attributes, tags, created_s"


def load_all(conn: sqlite3.Connection) -> list[TopicRecord]:
    return [
        TopicRecord(arn, account, region, name, orjson.loads(attributes), orjson.loads(tags), created_s)
        for arn, account, region, name, attributes, tags, created_s in conn.execute(
            f"SELECT {_COLUMNS} FROM sns_topics"
        )
    ]


def insert(conn: sqlite3.Connection, topic: TopicRecord) -> None:
    conn.execute(
        f"INSERT INTO sns_topics ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            topic.arn,
            topic.account,
            topic.region,
            topic.name,
            orjson.dumps(topic.attributes),
            orjson.dumps(topic.tags),
            topic.created_s,
        ),
    )


def update(conn: sqlite3.Connection, topic: TopicRecord) -> None:
    conn.execute(
        "UPDATE sns_topics SET attributes = ?, tags = ? WHERE arn = ?",
        (orjson.dumps(topic.attributes), orjson.dumps(topic.tags), topic.arn),
    )


def delete(conn: sqlite3.Connection, arn: str) -> None:
    conn.execute("DELETE FROM sns_topics WHERE arn = ?", (arn,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sns_topics")
