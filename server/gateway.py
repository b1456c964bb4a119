"""The one AWS endpoint: detect the protocol, decode, dispatch through the registry, encode.

Routing follows AWS's clients: `X-Amz-Target` means AWS JSON 1.0 (the service by its target prefix); a form
body or an `Action` parameter means the query protocol, whose service comes from the SigV4 scope, the
`Version`, the path, then the action (one that several services share goes to the service its parameters
name); otherwise the method and path may match a REST-JSON route. Every service is known only by its
descriptor: nothing here names one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from persistence.engine import DatabaseClosed, DatabaseUnavailable
from server import ids
from server.auth import account_for, identify
from server.config import Config
from server.context import RequestContext
from server.errors import AwsError, internal_failure, invalid_action, service_unavailable
from server.http import HttpRequest, HttpResponse
from server.metrics import RequestMetrics
from server.protocols import json10, query, rest_json
from server.registry import Handler, Registry
from server.request_log import resource_of
from server.services.params import Params
from server.wire import QueryWire, ServiceDescriptor, Struct

log = logging.getLogger("posthouse.gateway")


# What AWS answers a request that names no operation at all.
def _no_operation() -> HttpResponse:
    """A fresh answer each time: the edge adds headers (CORS) to the answer it is given."""
    return HttpResponse(404, b"<UnknownOperationException/>", query.MEDIA_TYPE, {})


def missing_authentication() -> AwsError:
    """AWS's common error for a request without a signature (a page's GET, say)."""
    return AwsError(
        "MissingAuthenticationToken",
        "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
        status=403,
    )


def _form_post(request: HttpRequest) -> bool:
    """A POSTed form: what SDKs send, and what no page can send cross-site without an `Origin`."""
    return request.method == "POST" and _media_type(request) == query.FORM_MEDIA_TYPE


def _signed(request: HttpRequest, url_params: dict[str, str]) -> bool:
    """Whether the request carries a signature a web page cannot make: an `Authorization` header (which no
    page sends cross-site without a preflight) or a query-string signature (SigV4 presigned, or SigV2)."""
    return "authorization" in request.headers or "X-Amz-Signature" in url_params or "Signature" in url_params


def _media_type(request: HttpRequest) -> str:
    """The Content-Type's media type, compared as HTTP does: without parameters, case-insensitively."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def _labels(service: str | None, operation: str | None) -> tuple[str, str]:
    """The request metrics' labels: names from the services' models only (an unknown action a caller made up
    is `unknown`, so callers cannot grow the series without bound)."""
    return service or "unknown", operation or "unknown"


class Gateway:
    def __init__(
        self,
        registry: Registry,
        config: Config,
        services: list[ServiceDescriptor],
        issued_accounts: Callable[[str], str | None] | None = None,
        default_body_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self._registry = registry
        self._config = config
        self._issued_accounts = issued_accounts
        self._by_target = {s.json_target_prefix: s for s in services if s.json_target_prefix}
        self._query_services = [(s, s.query) for s in services if s.query is not None]
        by_signing: dict[str, list[tuple[ServiceDescriptor, QueryWire]]] = {}
        for service, wire in self._query_services:
            by_signing.setdefault(service.signing_name, []).append((service, wire))
        self._query_by_signing = {name: found[0] for name, found in by_signing.items() if len(found) == 1}
        self._rest = rest_json.RestRoutes(services)
        self._rest_by_signing = {  # services that speak REST only (SNS serves a certificate by GET, too)
            s.signing_name: s for s in services if s.rest is not None and s.query is None
        }
        self.request_headers = frozenset(name.encode() for name in self._rest.request_headers)
        """Request headers, beyond those of routing and identity, that some service reads."""
        self.default_body_bytes = default_body_bytes
        self.metrics = RequestMetrics()
        self.log_resources = False
        """Whether answers name the resource their request named (for the request log)."""
        route_limits = [
            r.max_body for s in services if s.rest for r in s.rest.routes if r.max_body is not None
        ]
        self.largest_body_bytes = max([default_body_bytes, *route_limits])
        """The largest body any operation takes."""
        self.smallest_body_bytes = min([default_body_bytes, *route_limits])
        """The smallest: a body announced within it fits every operation."""

    def _context(self, request: HttpRequest, access_key: str | None, region: str | None) -> RequestContext:
        host = request.headers.get("host") or f"{self._config.host}:{self._config.port}"
        return RequestContext(
            account=self._account(access_key),
            region=region or self._config.region,
            request_id=ids.uuid4(),
            base_url=self._config.base_url or f"{request.scheme}://{host}",
            access_key=access_key,
            trace_header=request.headers.get("x-amzn-trace-id"),
            target_path=request.path,
            client_gone=request.client_gone,
        )

    def _account(self, access_key: str | None) -> str:
        """Temporary credentials act as the account they were issued for; other keys as `account_for` says."""
        if access_key and self._issued_accounts is not None:
            issued = self._issued_accounts(access_key)
            if issued is not None:
                return issued
        return account_for(access_key, self._config.account)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        """The answer to one AWS request (the caller records it in `metrics`, with the time it took)."""
        target = request.headers.get("x-amz-target")
        if target is not None:
            return await self._json(request, target)
        if self._is_query(request):
            return await self._query(request)
        match = self._rest.match(request)
        if match is not None:
            return await self._rest_call(request, match)
        rest_service = self._rest_by_signing.get(identify(request.headers.get("authorization")).service or "")
        if rest_service is not None:  # signed for a REST service, on no route of it: its protocol's error
            error = AwsError(
                "UnknownOperationException", f"No operation is {request.method} {request.path}.", status=404
            )
            return rest_json.encode_error(error, ids.uuid4(), rest_service)
        if request.body:
            # A body in no form any service reads (say, a form sent as text/plain): an error SDKs can name.
            error = AwsError(
                "UnknownOperationException",
                f"No operation found: a body of type {_media_type(request) or 'none'} names none.",
                status=404,
            )
            return query.encode_error(error, ids.uuid4(), None)
        return _no_operation()

    def body_limit(self, request: HttpRequest) -> tuple[int, AwsError]:
        """The largest body `request`'s operation takes (by its route; the default for the rest), and its
        service's error past that."""
        match = None if "x-amz-target" in request.headers else self._rest.match(request)
        limit = match.route.max_body if match and match.route.max_body else self.default_body_bytes
        too_large = match.service.rest.too_large if match and match.service.rest else None
        if match is not None and too_large is not None and match.route.max_body:
            return limit, too_large(match.route.operation, limit)
        return limit, AwsError("RequestEntityTooLarge", f"Request bodies are limited to {limit} bytes.", 413)

    def error_response(self, request: HttpRequest, error: AwsError) -> HttpResponse:
        """`error` in the protocol `request` speaks (told from its headers, path and URL alone)."""
        request_id = ids.uuid4()
        target = request.headers.get("x-amz-target")
        if target is not None:
            service = self._by_target.get(target.partition(".")[0])
            return json10.encode_error(error, request_id, service is not None and service.query_compatible)
        match = None if self._is_query(request) else self._rest.match(request)
        if match is not None:
            return rest_json.encode_error(error, request_id, match.service)
        if query.wants_json(request.headers.get("accept", "")):
            return query.encode_error_json(error, request_id)
        return query.encode_error(error, request_id, None)

    @staticmethod
    def _is_query(request: HttpRequest) -> bool:
        return _form_post(request) or any(name == "Action" for name, _ in query.form_pairs(request.query))

    async def _dispatch(
        self, handler: Handler, params: dict[str, Any], ctx: RequestContext
    ) -> dict[str, Any]:
        try:
            return await handler(Params(params), ctx)
        except AwsError:
            raise
        except (DatabaseUnavailable, DatabaseClosed) as error:
            log.error("request %s failed: %s", ctx.request_id, error)
            raise service_unavailable() from None
        except Exception:
            log.exception("request %s failed", ctx.request_id)
            raise internal_failure() from None

    async def _json(self, request: HttpRequest, target: str) -> HttpResponse:
        identity = identify(request.headers.get("authorization"))
        ctx = self._context(request, identity.access_key, identity.region)
        prefix, _, operation = target.partition(".")
        service = self._by_target.get(prefix)
        handler = self._registry.find(service.name, operation) if service else None
        query_compatible = service is not None and service.query_compatible
        params: dict[str, Any] = {}
        try:
            if handler is None:
                raise AwsError(
                    "InvalidAction",
                    f"Operation {target} is not supported.",
                    shape="UnknownOperationException",
                )
            params = json10.decode(request.body)
            response = json10.encode_result(await self._dispatch(handler, params, ctx), ctx.request_id)
        except AwsError as error:
            response = json10.encode_error(error, ctx.request_id, query_compatible)
        response.operation = _labels(service.name if service else None, operation if handler else None)
        if self.log_resources:
            response.resource = resource_of(params)
        return response

    async def _rest_call(self, request: HttpRequest, match: rest_json.Match) -> HttpResponse:
        identity = identify(request.headers.get("authorization"))
        ctx = self._context(request, identity.access_key, identity.region)
        handler = self._registry.find(match.service.name, match.route.operation)
        params: dict[str, Any] = {}
        try:
            if handler is None:
                raise AwsError(
                    "UnknownOperationException", f"{match.route.operation} is not supported.", status=404
                )
            params = rest_json.decode(match, request)
            result = await self._dispatch(handler, params, ctx)
            response = rest_json.encode_result(match.route, result, ctx.request_id)
        except AwsError as error:
            response = rest_json.encode_error(error, ctx.request_id, match.service)
        response.operation = _labels(match.service.name, match.route.operation if handler else None)
        if self.log_resources:
            response.resource = resource_of(params)
        return response

    def _query_service(
        self, request: HttpRequest, signing_name: str | None, form: dict[str, str]
    ) -> tuple[ServiceDescriptor, QueryWire] | None:
        """Which service a query request is for: by SigV4 scope, then `Version`, then path, then action."""
        signed_for = self._query_by_signing.get(signing_name or "")
        if signed_for is not None:
            return signed_for  # what nearly every request is: signed for the one service it is meant for
        version = form.get("Version", "")
        tests: list[Callable[[ServiceDescriptor, QueryWire], bool]] = [
            lambda _, wire: wire.version == version,
            lambda _, wire: wire.owns_path(request.path),
        ]
        for test in tests:
            found = [(service, wire) for service, wire in self._query_services if test(service, wire)]
            if len(found) == 1:
                return found[0]
        action = form.get("Action", "")
        offering = [
            (s, wire) for s, wire in self._query_services if self._registry.find(s.name, action) is not None
        ]
        if len(offering) > 1:  # an action several services share: the one whose resource it names
            offering = [(s, wire) for s, wire in offering if s.claims(form)]
        return offering[0] if len(offering) == 1 else None

    async def _query(self, request: HttpRequest) -> HttpResponse:
        form = query.read_form(request.query, request.body)
        url_params = dict(query.form_pairs(request.query)) if request.query else {}
        presigned = url_params.get("X-Amz-Credential")
        identity = identify(request.headers.get("authorization"), presigned)
        ctx = self._context(request, identity.access_key, identity.region)
        found = self._query_service(request, identity.service, form)
        wire = found[1] if found else None
        action = form.get("Action", "")
        handler = self._registry.find(found[0].name, action) if found else None
        as_json = query.wants_json(request.headers.get("accept", ""))
        try:
            if wire is None or handler is None:
                raise invalid_action(action)
            if action in wire.root_only and wire.owns_path(request.path):
                raise invalid_action(action)
            if not (_form_post(request) or action in wire.link_actions or _signed(request, url_params)):
                raise missing_authentication()  # a page's <img> or a rebound GET, not an SDK
            params = query.decode(form, wire.inputs.get(action, Struct()))
            result = await self._dispatch(handler, params, ctx)
            if as_json:
                response = query.encode_result_json(action, result, ctx.request_id, wire.names)
            else:
                response = query.encode_result(action, result, ctx.request_id, wire.names)
        except AwsError as error:
            if as_json:
                response = query.encode_error_json(error, ctx.request_id)
            else:
                response = query.encode_error(error, ctx.request_id, wire.names if wire else None)
        response.operation = _labels(found[0].name if found else None, action if handler else None)
        if self.log_resources:
            response.resource = resource_of(form)
        return response
