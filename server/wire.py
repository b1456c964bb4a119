"""How a service appears on the wire, declared by the service itself: its names, protocols and shapes.

Each service package exposes one `ServiceDescriptor`; the gateway is built from the descriptors and names no
service. The shapes here are plain data (what a query-protocol request's lists and maps are called, which
XML elements repeat in a reply); the codecs in `server.protocols` read them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.context import RequestContext
from server.services.params import Params


@dataclass(frozen=True)
class Scalar:
    pass


@dataclass(frozen=True)
class ListOf:
    item: Shape = field(default_factory=Scalar)
    wrapper: str | None = None
    """`member` for a wrapped list (`Name.member.1`); None for a flattened one (`Name.1`)."""


@dataclass(frozen=True)
class MapOf:
    key: str
    value: str
    item: Shape = field(default_factory=Scalar)
    wrapper: str | None = None
    """`entry` for a wrapped map (`Name.entry.1.key`); None for a flattened one (`Name.1.Key`)."""


@dataclass(frozen=True)
class Struct:
    fields: dict[str, tuple[str, Shape]] = field(default_factory=dict)
    """Wire name -> (parameter name, shape); names not listed pass through unchanged."""

    def by_parameter(self) -> dict[str, tuple[str, Shape]]:
        """The same fields under their parameter names (botocore writes `Entries=` for an empty list)."""
        return {target: (target, shape) for target, shape in self.fields.values()}


Shape = Scalar | ListOf | MapOf | Struct


@dataclass(frozen=True)
class XmlNames:
    namespace: str
    lists: dict[str, str]
    """Result member -> repeated element name (flattened lists)."""
    maps: dict[str, tuple[str, str, str]]
    """Result member -> (entry element, key element, value element)."""
    operation_lists: dict[tuple[str, str], str] = field(default_factory=dict)
    """Per-operation overrides of `lists`."""
    wrapped_lists: dict[str, str] = field(default_factory=dict)
    """Result member -> item element of a wrapped list (`<Topics><member>…</member></Topics>`)."""
    wrapped_maps: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Result member -> (entry, key, value) elements of a wrapped map (`<Attributes><entry><key>…`)."""
    without_result: frozenset[str] = frozenset()
    """Operations whose model has no output shape: no <...Result> element at all."""


Operation = Callable[[Any, Params, RequestContext], Awaitable[dict[str, Any]]]
"""An operation handler: (the service instance, its parameters, the request) -> its result."""


def _nowhere(path: str) -> bool:
    return False


def _no_params(form: Mapping[str, str]) -> bool:
    return False


@dataclass(frozen=True)
class QueryWire:
    """The service's query protocol (form or URL parameters in, XML out)."""

    version: str
    """The `Version` parameter its requests carry, e.g. `2012-11-05`."""
    inputs: dict[str, Struct]
    """Per operation: the flattened lists and maps of its input."""
    names: XmlNames
    owns_path: Callable[[str], bool] = _nowhere
    """Whether a request path names one of its resources (SQS: a queue URL's path)."""
    root_only: frozenset[str] = frozenset()
    """Actions refused on a resource's path (SQS: CreateQueue sent to a queue URL)."""


@dataclass(frozen=True)
class ServiceDescriptor:
    name: str
    """The registry's key for the service."""
    signing_name: str
    """The service in a SigV4 credential scope."""
    operations: Mapping[str, Operation]
    json_target_prefix: str | None = None
    """AWS JSON 1.0 `X-Amz-Target` prefix, when the service speaks it."""
    query_compatible: bool = False
    """Whether its JSON errors carry `x-amzn-query-error` (services that moved from the query protocol)."""
    query: QueryWire | None = None
    claims: Callable[[Mapping[str, str]], bool] = _no_params
    """For an action several services share (AddPermission, TagResource): whether these parameters name
    one of this service's resources (SQS: a QueueUrl)."""
