"""The ASGI entry point: AWS API requests go straight to the gateway; operator routes go to Starlette.

The AWS side is the hot path, so it skips Starlette's router and middleware and reads the few headers it
needs straight from the ASGI scope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from server.guard import Guard
from server.http import HttpRequest, HttpResponse
from server.limits import Limits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BASE_HEADERS = frozenset(
    {
        b"host",
        b"content-type",
        b"x-amz-target",
        b"authorization",
        b"x-amzn-trace-id",
        b"origin",
        b"sec-fetch-site",
        b"accept",
    }
)
"""The headers routing and identity read; a gateway adds those its services' REST routes read."""
OPERATOR_PREFIXES = ("/admin", "/health", "/ready", "/_localstack", "/_aws")


async def _read_body(receive: Receive, limits: Limits) -> bytes | HttpResponse:
    """The whole request body; or the answer when it is too large (413) or the client left (a body that
    stalled is cut off by the HTTP layer, see limits.py). A body past the limit is refused before more of it
    is held; one whose Content-Length says so is refused before any is read."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return _GONE
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_body_bytes:
            return _TOO_LARGE
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


_TOO_LARGE = HttpResponse(413, b"Request body too large.", "text/plain", {"connection": "close"})
_GONE = HttpResponse(400, b"The client went away.", "text/plain", {"connection": "close"})


class _HangUpWatch:
    """Watches an ASGI connection for `http.disconnect`, only once someone asks (only long polls do)."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._watch: asyncio.Future[None] | None = None

    def __call__(self) -> asyncio.Future[None]:
        if self._watch is None:
            self._watch = asyncio.ensure_future(self._until_disconnect())
        return self._watch

    async def _until_disconnect(self) -> None:
        while (await self._receive())["type"] != "http.disconnect":
            pass

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()


def _headers(scope: Scope, wanted: frozenset[bytes] | None = None) -> dict[str, str]:
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope["headers"]
        if wanted is None or name in wanted
    }


def _request(scope: Scope, headers: dict[str, str], body: bytes, client_gone: _HangUpWatch) -> HttpRequest:
    return HttpRequest(
        method=scope["method"],
        scheme=scope.get("scheme", "http"),
        path=scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=body,
        client_gone=client_gone,
        raw_path=scope.get("raw_path", b"").decode("latin-1"),
    )


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class Endpoint:
    """Route one ASGI connection: operator paths and lifespan events to `operator_app`, the rest to `handler`,
    after the guard has turned away browser requests from other sites."""

    def __init__(
        self,
        handler: Handler,
        operator_app: AsgiApp,
        state: Any,
        guard: Guard,
        limits: Limits,
        wanted_headers: frozenset[bytes] = BASE_HEADERS,
    ) -> None:
        self._handler = handler
        self._wanted_headers = wanted_headers
        self._limits = limits
        self._operator_app = operator_app
        self._guard = guard
        self.state = state
        """The operator app's state: the running services, for the CLI's shutdown hook."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._operator_app(scope, receive, send)
            return
        if scope["path"].startswith(OPERATOR_PREFIXES):
            headers = _headers(scope)
            refusal = self._guard.origin_refusal(headers) or self._guard.admin_refusal(
                scope["method"], scope["path"], headers
            )
            if refusal is None:
                await self._operator_app(scope, receive, send)
            else:
                await _respond(send, HttpResponse(refusal.status, refusal.reason.encode(), "text/plain", {}))
            return
        headers = _headers(scope, self._wanted_headers)
        refusal = self._guard.origin_refusal(headers)
        if refusal is not None:
            await _respond(send, HttpResponse(refusal.status, refusal.reason.encode(), "text/plain", {}))
            return
        body = await _read_body(receive, self._limits)
        if isinstance(body, HttpResponse):
            await _respond(send, body)
            return
        hang_up = _HangUpWatch(receive)
        try:
            response = await self._handler(_request(scope, headers, body, hang_up))
        finally:
            hang_up.stop()
        await _respond(send, response)


async def _respond(send: Send, response: HttpResponse) -> None:
    headers = [
        (b"content-type", response.media_type.encode()),
        (b"content-length", str(len(response.body)).encode()),
    ]
    headers += [(name.encode(), value.encode()) for name, value in response.headers.items()]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
