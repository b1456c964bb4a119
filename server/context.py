"""Who is calling and where: the protocol-neutral facts a service needs about a request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

ClientGone = Callable[[], "asyncio.Future[None]"]
"""For long waits: returns a future that completes if the caller hangs up, so the wait can end without
taking messages nobody will see."""


@dataclass(slots=True)  # built per request: plain slots are cheaper to build than frozen
class RequestContext:
    account: str
    region: str
    request_id: str
    base_url: str
    """Scheme, host and port that queue URLs handed out in responses start with."""
    access_key: str | None = None
    trace_header: str | None = None
    """The X-Ray `X-Amzn-Trace-Id` request header, which SQS keeps as AWSTraceHeader."""
    target_path: str = "/"
    """The request path: query clients such as the Java SDK v1 name the queue by it instead of QueueUrl."""
    client_gone: ClientGone | None = None
