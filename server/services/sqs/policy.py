"""AddPermission and RemovePermission: statements kept in the queue's Policy attribute, as AWS does."""

from __future__ import annotations

import re
from typing import Any

import orjson

from server.services.sqs.errors import invalid_value, sqs_error

MAX_ACTIONS = 7
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,80}")
_ACTIONS = {
    "*",
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "PurgeQueue",
    "ListQueueTags",
}


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _statements(policy: str | None) -> list[dict[str, Any]]:
    if not policy:
        return []
    statements = orjson.loads(policy).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _document(queue_arn: str, statements: list[dict[str, Any]]) -> str:
    return orjson.dumps(
        {"Version": "2008-10-17", "Id": f"{queue_arn}/SQSDefaultPolicy", "Statement": statements}
    ).decode()


def add_statement(
    queue_arn: str, policy: str | None, label: str, accounts: list[str], actions: list[str]
) -> str:
    if not _LABEL.fullmatch(label):
        raise invalid_value(
            "Label",
            label,
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        )
    if len(actions) > MAX_ACTIONS:
        raise sqs_error("OverLimit", f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for action in actions:
        if action not in _ACTIONS:
            raise invalid_value(
                "ActionName",
                f"SQS:{action}",
                "Please refer to the appropriate WSDL for a list of valid actions.",
            )
    statements = _statements(policy)
    if any(statement.get("Sid") == label for statement in statements):
        raise invalid_value("Label", label, "Already exists.")
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": _one_or_many([f"arn:aws:iam::{account}:root" for account in accounts])},
            "Action": _one_or_many([f"SQS:{action}" for action in actions]),
            "Resource": queue_arn,
        }
    )
    return _document(queue_arn, statements)


def remove_statement(queue_arn: str, policy: str | None, label: str) -> str:
    """The policy without the labelled statement; an empty string once no statement is left."""
    statements = _statements(policy)
    kept = [statement for statement in statements if statement.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_value("Label", label, "can't find label.")
    return _document(queue_arn, kept) if kept else ""
