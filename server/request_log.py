"""One line per AWS request answered (at log level info and below): when, the request id, service and
operation, the queue, topic or function it named, the status and how long it took. Text by default, JSON lines
with --log-format json (the server's other log lines follow the same format).

A request costs a tuple appended to a list; the lines are worded and written together every LOG_FLUSH_S."""

from __future__ import annotations

import asyncio
import datetime
import logging
import sys
from collections.abc import Callable
from typing import Any, TextIO

import orjson

from server.services.timestamps import iso_millis

LOG_FLUSH_S = 0.1
MAX_PENDING = 10_000
"""Lines held at most between writes; past it a write is forced at once."""
RESOURCE_PARAMETERS = (
    "QueueUrl",
    "QueueName",
    "TopicArn",
    "TargetArn",
    "SubscriptionArn",
    "FunctionName",
    "UUID",
    "logGroupName",
    "RoleName",
    "UserName",
    "PolicyArn",
    "Name",
)
"""The parameters that name what a request is about, first found first."""


def resource_of(params: dict[str, Any]) -> str:
    for name in RESOURCE_PARAMETERS:
        value = params.get(name)
        if isinstance(value, str) and value:
            return value.rsplit("/", 1)[-1] if name == "QueueUrl" else value
    return ""


Entry = tuple[int, str, tuple[str, str], str, int, float]
"""(time in ms, request id, (service, operation), resource, status, seconds)."""


class RequestLog:
    def __init__(self, json_lines: bool, now_ms: Callable[[], int], stream: TextIO | None = None) -> None:
        self._json = json_lines
        self._now_ms = now_ms
        """The server's clock (a controllable clock's time, in tests)."""
        self._stream = stream or sys.stderr
        self._pending: list[Entry] = []
        self._flush_scheduled = False

    def record(
        self, request_id: str, operation: tuple[str, str], resource: str, status: int, seconds: float
    ) -> None:
        """Keep the request's facts; they are worded and written with the others at the next flush."""
        self._pending.append((self._now_ms(), request_id, operation, resource, status, seconds))
        if len(self._pending) >= MAX_PENDING:
            self.flush()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_later(LOG_FLUSH_S, self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        if self._pending:
            entries, self._pending = self._pending, []
            line = self._json_line if self._json else self._text_line
            self._stream.write("\n".join(map(line, entries)) + "\n")
            self._stream.flush()

    @staticmethod
    def _text_line(entry: Entry) -> str:
        now_ms, request_id, (service, operation), resource, status, seconds = entry
        named = f" {resource}" if resource else ""
        return f"{iso_millis(now_ms)} INFO {service}.{operation} {status} {seconds * 1000:.2f}ms{named} id={request_id}"

    @staticmethod
    def _json_line(entry: Entry) -> str:
        now_ms, request_id, (service, operation), resource, status, seconds = entry
        document = {
            "time": iso_millis(now_ms),
            "level": "info",
            "request_id": request_id,
            "service": service,
            "operation": operation,
            "resource": resource,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
        }
        return orjson.dumps(document).decode()


class JsonFormatter(logging.Formatter):
    """The server's other log lines as JSON, alongside the request lines."""

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(document).decode()
