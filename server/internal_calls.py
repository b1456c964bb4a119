"""AWS operations called from inside the server (seeds, admin actions): the services' own handlers, given a
request context, so what they do is exactly what an SDK's call does."""

from __future__ import annotations

from typing import Any

from server import ids
from server.context import RequestContext
from server.registry import Registry
from server.services.params import Params


async def call(
    registry: Registry,
    service: str,
    operation: str,
    params: dict[str, Any],
    account: str,
    region: str,
    base_url: str,
) -> dict[str, Any]:
    handler = registry.find(service, operation)
    assert handler is not None, f"{service} has no {operation}"
    return await handler(Params(params), RequestContext(account, region, ids.uuid4(), base_url))
