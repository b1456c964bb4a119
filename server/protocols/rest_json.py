"""AWS REST-JSON (Lambda's API): the method and path name the operation, members travel in the path, the
query string, headers and a JSON (or raw) body; errors name their shape in `x-amzn-errortype`.

Each service declares its routes (`server.wire.Route`); `RestRoutes` finds the one a request matches, and
`decode`/`encode_result`/`encode_error` move members between the request, the handler and the reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

import orjson

from server.errors import AwsError
from server.http import HttpRequest, HttpResponse
from server.wire import Route, ServiceDescriptor, message_only

MEDIA_TYPE = "application/json"
_LABEL = re.compile(r"\{(\w+)(\+?)\}")


def malformed(complaint: str) -> AwsError:
    """What a route answers for input it cannot read, unless its service says otherwise."""
    return AwsError("SerializationException", complaint)


@dataclass(frozen=True)
class Match:
    service: ServiceDescriptor
    route: Route
    labels: dict[str, str]
    """Path labels, percent-decoded."""


@dataclass(frozen=True)
class _Compiled:
    service: ServiceDescriptor
    route: Route
    pattern: re.Pattern[str]
    required: tuple[tuple[str, str], ...]
    """`?name=value` pairs the template demands."""


def _compile(service: ServiceDescriptor, route: Route) -> _Compiled:
    path, _, literal_query = route.path.partition("?")
    pattern, at = "", 0
    for label in _LABEL.finditer(path):
        pattern += re.escape(path[at : label.start()])
        pattern += f"(?P<{label[1]}>{'.+' if label[2] else '[^/]+'})"
        at = label.end()
    pattern += re.escape(path[at:])
    required = tuple(
        (name, value) for name, _, value in (pair.partition("=") for pair in literal_query.split("&") if pair)
    )
    return _Compiled(service, route, re.compile(pattern), required)


class RestRoutes:
    """Every REST route of every service, found by method and raw (still percent-encoded) path."""

    def __init__(self, services: list[ServiceDescriptor]) -> None:
        compiled = [_compile(s, route) for s in services if s.rest for route in s.rest.routes]
        # Routes that demand query parameters, then longer literal paths, are tried first: the most specific
        # template wins where several match.
        compiled.sort(key=lambda c: (-len(c.required), -len(_LABEL.sub("", c.route.path))))
        self._by_method: dict[str, list[_Compiled]] = {}
        for entry in compiled:
            self._by_method.setdefault(entry.route.method, []).append(entry)
        self.request_headers = frozenset(
            header.lower() for entry in compiled for header in entry.route.headers.values()
        )
        """The request headers some route reads (lower case)."""

    def match(self, request: HttpRequest) -> Match | None:
        candidates = self._by_method.get(request.method)
        if not candidates:
            return None
        path = request.raw_path or request.path
        query: dict[str, list[str]] | None = None
        for entry in candidates:
            found = entry.pattern.fullmatch(path)
            if found is None:
                continue
            if entry.required:
                query = query if query is not None else parse_qs(request.query, keep_blank_values=True)
                if any(value not in query.get(name, ()) for name, value in entry.required):
                    continue
            labels = {name: unquote(value) for name, value in found.groupdict().items()}
            return Match(entry.service, entry.route, labels)
        return None


def _typed(member: str, value: str, kind: str, invalid: Callable[[str], AwsError]) -> Any:
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            raise invalid(f"{member} must be an integer, not {value[:64]!r}.") from None
    if kind == "boolean":
        if value not in ("true", "false"):
            raise invalid(f"{member} must be true or false, not {value[:64]!r}.")
        return value == "true"
    return value


def _json_object(body: bytes, invalid: Callable[[str], AwsError]) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise invalid(f"Could not parse request body into json: {error}") from None
    if not isinstance(document, dict):
        raise invalid("Could not parse request body into json: the body is not an object.")
    return document


def decode(match: Match, request: HttpRequest) -> dict[str, Any]:
    """The operation's parameters: the JSON body's members (or the payload member), path labels, query
    parameters and headers, each typed as the route declares."""
    route = match.route
    invalid = (match.service.rest and match.service.rest.malformed) or malformed
    params: dict[str, Any] = {}
    if route.payload is None:
        if request.body.strip():
            params.update(_json_object(request.body, invalid))
    elif route.kinds.get(route.payload) == "structure":
        if request.body.strip():
            params[route.payload] = _json_object(request.body, invalid)
    else:
        params[route.payload] = request.body
    for member, value in match.labels.items():
        params[member] = _typed(member, value, route.kinds.get(member, "string"), invalid)
    if route.query:
        query = parse_qs(request.query, keep_blank_values=True)
        for member, name in route.query.items():
            values = query.get(name)
            if values is None:
                continue
            kind = route.kinds.get(member, "string")
            params[member] = values if kind == "list" else _typed(member, values[0], kind, invalid)
    for member, header in route.headers.items():
        text = request.headers.get(header.lower())
        if text is not None:
            params[member] = _typed(member, text, route.kinds.get(member, "string"), invalid)
    return params


def _header_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def encode_result(route: Route, result: dict[str, Any], request_id: str) -> HttpResponse:
    """The reply: status and headers from the members the route's reply names, the payload member (bytes
    as they are) or the other members as a JSON body."""
    reply, members = route.reply, dict(result)
    status = int(members.pop(reply.status)) if reply.status and reply.status in members else route.status
    headers = {"x-amzn-RequestId": request_id}
    for member, header in reply.headers.items():
        value = members.pop(member, None)
        if value is not None:
            headers[header] = _header_text(value)
    media_type = headers.pop("Content-Type", MEDIA_TYPE)
    if status == 204:
        body = b""
    elif reply.payload is None:
        body = orjson.dumps(members)
    else:
        payload = members.get(reply.payload)
        body = payload if isinstance(payload, bytes) else b"" if payload is None else orjson.dumps(payload)
    return HttpResponse(status, body, media_type, headers)


def encode_error(error: AwsError, request_id: str, service: ServiceDescriptor) -> HttpResponse:
    """The error as botocore's rest-json parser reads it: the shape in `x-amzn-errortype`, the message (and
    whatever else the service's errors carry) in the JSON body."""
    body = (service.rest.error_body if service.rest else message_only)(error)
    headers = {"x-amzn-RequestId": request_id, "x-amzn-errortype": error.shape}
    return HttpResponse(error.status, orjson.dumps(body), MEDIA_TYPE, headers)
