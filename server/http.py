"""Plain HTTP request and response values: what the gateway and codecs see, free of any web framework."""

from __future__ import annotations

from dataclasses import dataclass

from server.context import ClientGone


@dataclass(slots=True)  # built per request: plain slots are cheaper to build than frozen
class HttpRequest:
    """What the gateway needs to know about an HTTP request, and nothing of any web framework."""

    method: str
    scheme: str
    path: str
    query: str
    headers: dict[str, str]
    """Only the headers AWS routing and identity depend on, names in lower case."""
    body: bytes
    client_gone: ClientGone | None = None
    raw_path: str = ""
    """The path as sent, still percent-encoded (REST path labels may hold an encoded `/`); empty when not known,
    and `path` stands for it."""


@dataclass(slots=True)  # built per request: plain slots are cheaper to build than frozen
class HttpResponse:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str]
    operation: tuple[str, str] | None = None
    """(service, operation) that answered, for the request metrics; None for no AWS operation."""
    resource: str = ""
    """The queue, topic or function the request named, for the request log (when it is on)."""
