"""The ASGI entry point: AWS API requests go straight to the gateway; operator routes go to Starlette.

The AWS side is the hot path, so it skips Starlette's router and middleware and reads the few headers it
needs straight from the ASGI scope.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from server.bodies import BodyBudget, Refused, read_body
from server.errors import AwsError, service_unavailable
from server.guard import Guard
from server.http import HttpRequest, HttpResponse
from server.limits import Answer, Limits
from server.metrics import RequestMetrics
from server.request_log import RequestLog
from server.runtime import StartupRefused
from server.services.outbound import LOOP_HEADER

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
        b"content-length",
        LOOP_HEADER.encode(),
    }
)
"""The headers routing and identity read; a gateway adds those its services' REST routes read."""
OPERATOR_PREFIXES = ("/admin", "/health", "/ready", "/metrics", "/_localstack", "/_aws")


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


def _request(
    scope: Scope, headers: dict[str, str], body: bytes, client_gone: _HangUpWatch | None
) -> HttpRequest:
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


class Gateway(Protocol):
    """What the edge needs of the AWS side."""

    metrics: RequestMetrics
    """Where the edge records each answered request and the time it took."""

    async def handle(self, request: HttpRequest) -> HttpResponse: ...

    def body_limit(self, request: HttpRequest) -> tuple[int, AwsError]:
        """The largest body the request's operation takes, and its error past that."""
        ...

    def error_response(self, request: HttpRequest, error: AwsError) -> HttpResponse:
        """`error` in the protocol the request speaks."""
        ...


class Lifecycle(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def _plain(status: int, text: str, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, text.encode(), "text/plain; charset=utf-8", headers or {})


class Endpoint:
    """Route one ASGI connection: lifespan events to `lifecycle`, operator paths to `operator_app`, the rest to
    the gateway, once the guard has let the request in and its body has fit its limit and the budget."""

    def __init__(
        self,
        gateway: Gateway,
        operator_app: AsgiApp,
        state: Any,
        guard: Guard,
        limits: Limits,
        wanted_headers: frozenset[bytes] = BASE_HEADERS,
        lifecycle: Lifecycle | None = None,
        request_log: RequestLog | None = None,
    ) -> None:
        self._request_log = request_log
        self._gateway = gateway
        self._wanted_headers = wanted_headers
        self.limits = limits
        self._budget = BodyBudget(limits.body_budget_bytes)
        self._operator_app = operator_app
        self._guard = guard
        self._lifecycle = lifecycle
        self.state = state
        """The operator app's state: the running services, for the CLI's shutdown hook."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        operator = scope["path"].startswith(OPERATOR_PREFIXES)
        headers = _headers(scope, None if operator else self._wanted_headers)
        refusal = self._guard.refusal(scope["method"], scope["path"], headers)
        if refusal is not None:
            await _respond(send, _plain(refusal.status, refusal.reason))
            return
        if scope["method"] == "OPTIONS":
            preflight = self._guard.preflight(_headers(scope))
            if preflight is not None:
                await _respond(send, HttpResponse(204, b"", "text/plain", preflight))
                return
        cors = self._guard.cors_headers(headers)
        if operator:
            await self._operator_app(scope, receive, _with_headers(send, cors) if cors else send)
            return
        response = await self._aws(scope, receive, headers)
        response.headers.update(cors)
        await _respond(send, response)

    def refuse_announced_body(
        self, method: str, path: str, raw_path: str, headers: dict[str, str], length: int
    ) -> Answer | None:
        """The HTTP layer's `BodyCheck`: the operation's own error, at once, for a body announced longer than
        it takes (operator routes have the server's largest limit)."""
        if path.startswith(OPERATOR_PREFIXES):
            return None
        request = HttpRequest(method, "http", path, "", headers, b"", raw_path=raw_path)
        limit, too_large = self._gateway.body_limit(request)
        if length <= limit:
            return None
        response = self._gateway.error_response(request, too_large)
        return (
            response.status,
            [("content-type", response.media_type), *response.headers.items()],
            response.body,
        )

    async def _aws(self, scope: Scope, receive: Receive, headers: dict[str, str]) -> HttpResponse:
        request = _request(scope, headers, b"", None)
        announced = headers.get("content-length")
        if (
            announced is not None
            and announced.isdigit()
            and int(announced) <= self.limits.smallest_body_bytes
        ):
            limit = (
                self.limits.smallest_body_bytes
            )  # fits every route's limit: no route lookup on the hot path
        else:
            limit = self._gateway.body_limit(request)[0]
        body = await read_body(receive, announced, limit, self._budget, self.limits.max_body_bytes)
        try:
            if body.refused is not None:
                if body.refused is Refused.GONE:
                    return _plain(400, "The client went away.", {"connection": "close"})
                too_large = body.refused is Refused.TOO_LARGE
                error = self._gateway.body_limit(request)[1] if too_large else service_unavailable()
                response = self._gateway.error_response(request, error)
                if not body.ended:
                    response.headers["connection"] = "close"
                return response
            request.body = body.data
            hang_up = request.client_gone = _HangUpWatch(receive)
            started = time.perf_counter()
            try:
                response = await self._gateway.handle(request)
            finally:
                hang_up.stop()
            seconds = time.perf_counter() - started
            self._gateway.metrics.observe(response.operation, response.status, seconds)
            if self._request_log is not None and response.operation is not None:
                request_id = response.headers.get("x-amzn-RequestId") or response.headers.get(
                    "x-amz-request-id", ""
                )
                self._request_log.record(
                    request_id, response.operation, response.resource, response.status, seconds
                )
            return response
        finally:
            self._budget.give_back(body.held)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Start and stop the services; a start-up refusal is one clear line, not a traceback."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._lifecycle is not None:
                        await self._lifecycle.start()
                except StartupRefused as refused:
                    await send({"type": "lifespan.startup.failed", "message": f"posthouse: {refused}"})
                    return
                if self.state is not None:  # with init scripts, ready once they have run
                    init = getattr(self.state, "init", None)
                    self.state.ready = init is None or init.completed
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.state is not None:
                    self.state.ready = False
                if self._lifecycle is not None:
                    await self._lifecycle.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _with_headers(send: Send, extra: dict[str, str]) -> Send:
    """`send`, adding `extra` to the response's headers (CORS headers on operator routes)."""
    encoded = [(name.encode(), value.encode()) for name, value in extra.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)

    return sending


async def _respond(send: Send, response: HttpResponse) -> None:
    headers = [
        (b"content-type", response.media_type.encode()),
        (b"content-length", str(len(response.body)).encode()),
    ]
    headers += [(name.encode(), value.encode()) for name, value in response.headers.items()]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})
