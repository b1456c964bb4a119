"""What other services call to invoke a function the way Lambda's Event invocation type does (SNS invokes its
Lambda subscriptions so): the event is queued in the caller's own transaction, as durable as what the caller
commits with it, and then runs, is retried and reaches the function's destinations as any Event invocation."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from persistence import async_events
from server.services.lambda_.functions import Functions


class EventInvocations:
    def __init__(self, functions: Functions, committed: Callable[[], None]) -> None:
        self._functions = functions
        self.committed = committed
        """Call after the transaction that put events commits: the worker runs them."""

    def function_arn(self, arn: str) -> str | None:
        """The ARN to invoke for one a caller holds (a version or alias ARN stays one; `:$LATEST` is the
        function), if it names an existing function."""
        arn = arn.removesuffix(":$LATEST")
        return arn if self._functions.get(arn) is not None else None

    @staticmethod
    def put(conn: sqlite3.Connection, function_arn: str, request_id: str, event: bytes, now_ms: int) -> None:
        async_events.insert(conn, function_arn, request_id, event, now_ms)
