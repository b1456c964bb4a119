"""The explicit table of (service, operation) -> handler that the gateway dispatches through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, TypeVar

from server.context import RequestContext
from server.services.params import Params

Handler = Callable[[Params, RequestContext], Awaitable[dict[str, Any]]]
S = TypeVar("S")


class Registry:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}

    def add(
        self,
        service: str,
        instance: S,
        operations: Mapping[str, Callable[[S, Params, RequestContext], Awaitable[dict[str, Any]]]],
    ) -> None:
        for name, handler in operations.items():
            self._handlers[(service, name)] = partial(handler, instance)

    def find(self, service: str, operation: str) -> Handler | None:
        return self._handlers.get((service, operation))

    def services_with(self, operation: str) -> list[str]:
        return [service for service, name in self._handlers if name == operation]
