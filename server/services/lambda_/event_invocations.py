"""What other services call to invoke a function the way Lambda's Event invocation type does (SNS invokes its
Lambda subscriptions so): the event is queued in the caller's own transaction, as durable as what the caller
commits with it, and then runs, is retried and reaches the function's destinations as any Event invocation."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from persistence import async_events
from server.services.lambda_.functions import Functions

_UNQUALIFIED = 7
"""An ARN's parts up to the function's name: arn:aws:lambda:region:account:function:name."""


class EventInvocations:
    def __init__(self, functions: Functions, committed: Callable[[], None]) -> None:
        self._functions = functions
        self.committed = committed
        """Call after the transaction that put events commits: the worker runs them."""

    def function_arn(self, arn: str) -> str | None:
        """The function a (possibly qualified) ARN names, if it exists."""
        unqualified = ":".join(arn.split(":")[:_UNQUALIFIED])
        return unqualified if self._functions.get(unqualified) is not None else None

    @staticmethod
    def put(conn: sqlite3.Connection, function_arn: str, request_id: str, event: bytes, now_ms: int) -> None:
        async_events.insert(conn, function_arn, request_id, event, now_ms)
