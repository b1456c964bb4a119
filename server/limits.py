"""The HTTP limits uvicorn leaves out: how large a request head may be, how long a client may take to send
it, and a body refused from its `Content-Length` before any of it is read.

uvicorn's httptools protocol, with three additions: request heads (request line, URL and headers) over
`max_head_bytes` get 431; a head not complete `head_timeout_s` after the connection opened or the request
began gets 408 and the connection closes (slowloris); a `Content-Length` over what the request's operation
takes gets that operation's error at once (the app's `BodyCheck` says which, in the caller's protocol), and
over `max_body_bytes` a plain 413; a body that pauses longer than `body_timeout_s` gets 408. Idle keep-alive
connections are uvicorn's own `timeout_keep_alive`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_head_bytes: int = 64 * 1024
    head_timeout_s: float = 10.0
    max_body_bytes: int = 8 * MIB
    """The largest body any route takes (the edge refuses a longer `Content-Length` before reading)."""
    smallest_body_bytes: int = 8 * MIB
    """The smallest limit of any route: a shorter announced body needs no check of its route."""
    default_body_bytes: int = 8 * MIB
    """The limit of routes that name none of their own (SQS and SNS)."""
    body_budget_bytes: int = 256 * MIB
    """Request bodies held in memory at once, across all connections."""
    max_connections: int = 1000
    """Open connections at once; past it new ones get 503."""
    body_timeout_s: float = 30.0
    """Longest pause while a request body arrives."""


Answer = tuple[int, list[tuple[str, str]], bytes]
"""A whole refusal: status, headers, body."""
BodyCheck = Callable[[str, str, str, dict[str, str], int], Answer | None]
"""(method, path, raw path, headers, announced length) -> the refusal when the request's operation takes no
body that long."""


LINGER_S = 2.0


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; httptools hands it back as a parser error."""


def _plain(status: int, message: str) -> Answer:
    return status, [("content-type", "text/plain")], message.encode()


def protocol_with(limits: Limits, body_check: BodyCheck | None = None) -> type[HttpToolsProtocol]:
    """uvicorn's `http=` protocol class enforcing `limits`, and `body_check` on announced lengths."""

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._head_bytes = 0
            self._in_head = True
            self._refusal: Answer | None = None
            self._timer: asyncio.TimerHandle | None = None
            self._deadline: float | None = None
            self._deadline_message = ""
            self._refused = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm(limits.head_timeout_s, "The request head took too long.")

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # lingering after a refusal: what still arrives is read and dropped
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > limits.max_head_bytes + len(data):
                    self._refuse(_plain(431, "The request line and headers are too large."))
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head, self._head_bytes = True, 0
            self._arm(limits.head_timeout_s, "The request head took too long.")

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._arm(limits.body_timeout_s, "The request body stalled.")
            if self._head_bytes > limits.max_head_bytes:
                self._refusal = _plain(431, "The request line and headers are too large.")
                raise _Refused()
            for name, length in self.headers:
                if name == b"content-length":
                    if length.isdigit():
                        self._refusal = self._length_refusal(int(length))
                        if self._refusal is not None:
                            raise _Refused()
                    break
            super().on_headers_complete()

        def _length_refusal(self, length: int) -> Answer | None:
            if length <= limits.smallest_body_bytes:
                return None
            if body_check is not None:
                raw_path = self.url.partition(b"?")[0].decode("latin-1")
                headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in self.headers}
                method = self.parser.get_method().decode()
                refusal = body_check(method, unquote(raw_path), raw_path, headers, length)
                if refusal is not None:
                    return refusal
            if length > limits.max_body_bytes:
                return _plain(413, f"Request bodies are limited to {limits.max_body_bytes} bytes.")
            return None

        def on_body(self, body: bytes) -> None:
            self._arm(limits.body_timeout_s, "The request body stalled.")
            super().on_body(body)

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def send_400_response(self, msg: str) -> None:
            # Where a parser error came from one of our refusals, answer that instead.
            if self._refusal is not None:
                self._refuse(self._refusal)
            else:
                super().send_400_response(msg)

        # One timer per connection, moved lazily: arming and disarming only set the deadline (this runs
        # several times per request); the timer, when it fires early, re-arms itself for the deadline.
        def _arm(self, seconds: float, message: str) -> None:
            """Refuse with 408 unless the next stage of the request arrives within `seconds`."""
            self._deadline, self._deadline_message = self.loop.time() + seconds, message
            if self._timer is not None and self._timer.when() > self._deadline:
                self._timer.cancel()  # set for a later deadline (a body's): too late for this one
                self._timer = None
            if self._timer is None:
                self._timer = self.loop.call_at(self._deadline, self._check_deadline)

        def _disarm(self) -> None:
            self._deadline = None

        def _check_deadline(self) -> None:
            self._timer = None
            if self._deadline is None or self.transport.is_closing():
                return
            if self.loop.time() < self._deadline:
                self._timer = self.loop.call_at(self._deadline, self._check_deadline)
            else:
                self._refuse(_plain(408, self._deadline_message))

        def _refuse(self, answer: Answer) -> None:
            status, headers, body = answer
            lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
            lines += [f"{name}: {value}" for name, value in headers]
            lines += [f"content-length: {len(body)}", "connection: close", "", ""]
            self.transport.write("\r\n".join(lines).encode("latin-1") + body)
            # A lingering close, as web servers do: closing with the client's bytes still unread would send
            # a reset that can destroy the answer before the client reads it. Send FIN after the answer,
            # drop what still arrives, and close once the client has gone or LINGER_S has passed.
            self._refused = True
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(LINGER_S, self.transport.close)
            else:
                self.transport.close()

    return LimitedHttpToolsProtocol
