"""IAM's checks and views: names and paths as AWS's model constrains them, policy documents that are JSON
objects, timestamps to the second, documents URL-encoded on the way out (as AWS sends them, and as SDKs
decode them), and the Marker/MaxItems paging every List call shares."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import orjson

from server.services.iam.errors import invalid_input, malformed_policy, validation
from server.services.params import Params

_NAME = re.compile(r"[\w+=,.@-]+")
_PATH = re.compile(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")
NAME_LIMITS = {"roleName": 64, "policyName": 128, "userName": 64}
MAX_DOCUMENT = 131_072


def checked_name(params: Params, member: str) -> str:
    """A role, policy or user name (`member` as the model spells it, e.g. roleName)."""
    name = params.required_text(member[0].upper() + member[1:])
    if len(name) > NAME_LIMITS[member]:
        raise validation(member, name, f"Member must have length less than or equal to {NAME_LIMITS[member]}")
    if not _NAME.fullmatch(name):
        raise validation(member, name, r"Member must satisfy regular expression pattern: [\w+=,.@-]+")
    return name


def checked_path(params: Params, member: str = "Path") -> str:
    path = params.text(member) or "/"
    if len(path) > 512 or not _PATH.fullmatch(path):
        pattern = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
        raise validation(
            member[0].lower() + member[1:], path, f"Member must satisfy regular expression pattern: {pattern}"
        )
    return path


def checked_document(text: str | None, member: str) -> str:
    """A policy document as given (kept as text, as AWS keeps it), once it is a JSON object."""
    if not text:
        raise validation(member, "", "Member must have length greater than or equal to 1")
    if len(text) > MAX_DOCUMENT:
        raise validation(member, text[:64], f"Member must have length less than or equal to {MAX_DOCUMENT}")
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise malformed_policy() from None
    if not isinstance(document, dict):
        raise malformed_policy()
    if "Statement" not in document:
        raise malformed_policy("Syntax errors in policy.")
    return text


def checked_tags(params: Params, limit: int = 50) -> list[dict[str, str]]:
    tags = []
    for entry in params.entries("Tags"):
        key, value = entry.required_text("Key"), entry.text("Value") or ""
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise invalid_input("The specified value for tags is not valid.")
        tags.append({"Key": key, "Value": value})
    if len(tags) > limit:
        raise invalid_input(f"The number of tags exceeds the limit of {limit}.")
    return tags


def merged_tags(current: list[dict[str, str]], added: list[dict[str, str]]) -> list[dict[str, str]]:
    kept = {tag["Key"]: tag["Value"] for tag in current} | {tag["Key"]: tag["Value"] for tag in added}
    return [{"Key": key, "Value": value} for key, value in kept.items()]


def iso_seconds(now_ms: int) -> str:
    return datetime.datetime.fromtimestamp(now_ms // 1000, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encoded(document: str | dict[str, Any]) -> str:
    """A policy document as AWS sends it: URL-encoded JSON."""
    text = document if isinstance(document, str) else orjson.dumps(document).decode()
    return quote(text, safe="")


def page(items: list[Any], params: Params, key: Callable[[Any], str], field: str) -> dict[str, Any]:
    """`{field: items after Marker, at most MaxItems}`, with IsTruncated and the next Marker."""
    marker = params.text("Marker")
    if marker:
        items = [item for item in items if key(item) > marker]
    size = params.integer("MaxItems") or 100
    if not 1 <= size <= 1000:
        raise validation("maxItems", str(size), "Member must have value between 1 and 1000")
    shown = items[:size]
    result: dict[str, Any] = {field: shown, "IsTruncated": len(items) > size}
    if len(items) > size:
        result["Marker"] = key(shown[-1])
    return result
