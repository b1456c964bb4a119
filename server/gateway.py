"""The one AWS endpoint: detect the protocol, decode, dispatch through the registry, encode.

Routing follows AWS's clients: `X-Amz-Target` means AWS JSON 1.0; a form body or an `Action` parameter
means the query protocol, whose service comes from the SigV4 scope, the `Version`, the path or the action.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl

from persistence.engine import DatabaseClosed, DatabaseUnavailable
from server import ids
from server.auth import account_for, identify
from server.config import Config
from server.context import RequestContext
from server.errors import AwsError, internal_failure, invalid_action, service_unavailable
from server.http import HttpRequest, HttpResponse
from server.protocols import json10, query, sqs_query
from server.registry import Handler, Registry
from server.services.params import Params

log = logging.getLogger("posthouse.gateway")

JSON_TARGETS = {"AmazonSQS": "sqs"}
QUERY_SERVICES: dict[str, tuple[dict[str, query.Struct], query.XmlNames]] = {
    "sqs": (sqs_query.INPUTS, sqs_query.OUTPUT),
}
QUERY_VERSIONS = {"2012-11-05": "sqs"}
_QUEUE_PATH = re.compile(r"/\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?/?")
# Query actions that only make sense at the service root, not on a queue's URL.
_ROOT_ONLY_ACTIONS = {"CreateQueue", "ListQueues"}
# What AWS answers a request that names no operation at all.
_NO_OPERATION = HttpResponse(404, b"<UnknownOperationException/>", query.MEDIA_TYPE, {})


def _media_type(request: HttpRequest) -> str:
    """The Content-Type's media type, compared as HTTP does: without parameters, case-insensitively."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


class Gateway:
    def __init__(self, registry: Registry, config: Config) -> None:
        self._registry = registry
        self._config = config

    def _context(self, request: HttpRequest, access_key: str | None, region: str | None) -> RequestContext:
        host = request.headers.get("host") or f"{self._config.host}:{self._config.port}"
        return RequestContext(
            account=account_for(access_key, self._config.account),
            region=region or self._config.region,
            request_id=ids.uuid4(),
            base_url=self._config.base_url or f"{request.scheme}://{host}",
            access_key=access_key,
            trace_header=request.headers.get("x-amzn-trace-id"),
            target_path=request.path,
            client_gone=request.client_gone,
        )

    async def handle(self, request: HttpRequest) -> HttpResponse:
        target = request.headers.get("x-amz-target")
        if target is not None:
            return await self._json(request, target)
        if self._is_query(request):
            return await self._query(request)
        if request.body:
            # A body in no form SQS reads (say, a form sent as text/plain): an error SDKs can name.
            error = AwsError(
                "UnknownOperationException",
                f"No operation found: a body of type {_media_type(request) or 'none'} names none.",
                status=404,
            )
            return query.encode_error(error, ids.uuid4(), QUERY_SERVICES["sqs"][1].namespace)
        return _NO_OPERATION

    @staticmethod
    def _is_query(request: HttpRequest) -> bool:
        return (request.method == "POST" and _media_type(request) == query.FORM_MEDIA_TYPE) or any(
            name == "Action" for name, _ in parse_qsl(request.query, keep_blank_values=True)
        )

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
        handler = self._registry.find(JSON_TARGETS.get(prefix, ""), operation)
        try:
            if handler is None:
                raise AwsError(
                    "InvalidAction",
                    f"Operation {target} is not supported.",
                    shape="UnknownOperationException",
                )
            return json10.encode_result(
                await self._dispatch(handler, json10.decode(request.body), ctx), ctx.request_id
            )
        except AwsError as error:
            return json10.encode_error(error, ctx.request_id)

    def _query_service(self, request: HttpRequest, service: str | None, form: dict[str, str]) -> str:
        if service in QUERY_SERVICES:
            return service
        version_service = QUERY_VERSIONS.get(form.get("Version", ""))
        if version_service:
            return version_service
        if _QUEUE_PATH.fullmatch(request.path):
            return "sqs"
        candidates = self._registry.services_with(form.get("Action", ""))
        return candidates[0] if candidates else "sqs"

    async def _query(self, request: HttpRequest) -> HttpResponse:
        form = query.read_form(request.query, request.body)
        presigned = dict(parse_qsl(request.query)).get("X-Amz-Credential")
        identity = identify(request.headers.get("authorization"), presigned)
        ctx = self._context(request, identity.access_key, identity.region)
        service = self._query_service(request, identity.service, form)
        inputs, names = QUERY_SERVICES[service]
        action = form.get("Action", "")
        handler = self._registry.find(service, action)
        try:
            if handler is None or (action in _ROOT_ONLY_ACTIONS and _QUEUE_PATH.fullmatch(request.path)):
                raise invalid_action(action)
            params = query.decode(form, inputs.get(action, query.Struct()))
            result = await self._dispatch(handler, params, ctx)
            return query.encode_result(action, result, ctx.request_id, names)
        except AwsError as error:
            return query.encode_error(error, ctx.request_id, names.namespace)
