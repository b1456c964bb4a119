"""The rules every SQS batch request shares: entry count, entry ids, and per-entry failures."""

from __future__ import annotations

import re
from typing import Any

from server.errors import AwsError
from server.services.params import Params
from server.services.sqs.errors import sqs_error

MAX_ENTRIES = 10
_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _entry_id(entry: Params) -> str:
    """An absent Id is a missing parameter; an empty one is an invalid id, as AWS answers it."""
    value = entry.text("Id")
    return entry.required_text("Id") if value is None else value


def check_entries(entries: list[Params], entry_name: str) -> list[str]:
    """Whole-request checks; returns the entry ids in request order."""
    if not entries:
        raise sqs_error("EmptyBatchRequest", f"There should be at least one {entry_name} in the request.")
    if len(entries) > MAX_ENTRIES:
        raise sqs_error(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}.",
        )
    ids = [_entry_id(entry) for entry in entries]
    for entry_id in ids:
        if not _ENTRY_ID.fullmatch(entry_id):
            raise sqs_error(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be"
                " at most 80 letters long.",
            )
    seen: set[str] = set()
    for entry_id in ids:
        if entry_id in seen:
            raise sqs_error("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)
    return ids


def failure(entry_id: str, error: AwsError) -> dict[str, Any]:
    """A `Failed` entry; its Code is the query-protocol code in both protocols, as AWS sends it."""
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}


def result(successful: list[dict[str, Any]], failed: list[dict[str, Any]]) -> dict[str, Any]:
    reply: dict[str, Any] = {"Successful": successful}
    if failed:
        reply["Failed"] = failed
    return reply
