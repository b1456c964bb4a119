"""An HTTP endpoint for SNS to deliver to, in the test process: it records every request and answers with the
statuses it is told to (then 200)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.harness import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def document(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class Subscriber:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()
        """Statuses to answer with, in order; 200 once they run out."""
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                subscriber.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = subscriber.statuses.popleft() if subscriber.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Subscriber:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Block until `count` requests came in (all of them so far)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.received)} of {count} requests arrived: {self.received}")
            time.sleep(0.01)
        return list(self.received)

    def confirm(self) -> str:
        """Visit the SubscribeURL of the first SubscriptionConfirmation, unsigned, as a browser would."""
        confirmation = next(
            r for r in self.wait_for(1) if r.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        )
        with urllib.request.urlopen(confirmation.document["SubscribeURL"]) as reply:
            return str(reply.read().decode())
