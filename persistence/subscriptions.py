"""SNS subscription rows: create, change, delete, load. Plain functions that run inside a group transaction."""

from __future__ import annotations

import sqlite3

import orjson

from persistence.records import SubscriptionRecord

_COLUMNS = "arn, topic_arn, protocol, endpoint, owner, attributes, pending, token"


def load_all(conn: sqlite3.Connection) -> list[SubscriptionRecord]:
    return [
        SubscriptionRecord(
            arn, topic, protocol, endpoint, owner, orjson.loads(attributes), bool(pending), token
        )
        for arn, topic, protocol, endpoint, owner, attributes, pending, token in conn.execute(
            f"SELECT {_COLUMNS} FROM sns_subscriptions"
        )
    ]


def save(conn: sqlite3.Connection, subscription: SubscriptionRecord) -> None:
    """Insert it, or replace what is stored under its ARN."""
    conn.execute(
        f"INSERT OR REPLACE INTO sns_subscriptions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            subscription.arn,
            subscription.topic_arn,
            subscription.protocol,
            subscription.endpoint,
            subscription.owner,
            orjson.dumps(subscription.attributes),
            int(subscription.pending),
            subscription.token,
        ),
    )


def delete(conn: sqlite3.Connection, arn: str) -> None:
    conn.execute("DELETE FROM sns_subscriptions WHERE arn = ?", (arn,))


def delete_of_topic(conn: sqlite3.Connection, topic_arn: str) -> None:
    conn.execute("DELETE FROM sns_subscriptions WHERE topic_arn = ?", (topic_arn,))


def delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM sns_subscriptions")
