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
from server.errors import AwsError
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
    error_detail: bool = False
    """Whether its errors carry an empty `<Detail/>` (SQS's do; SNS's and STS's do not)."""
    json_members: dict[tuple[str, str], str] = field(default_factory=dict)
    """(operation, result member) -> its name where AWS renders the reply as JSON (`Accept: application/json`)
    and names it otherwise than the JSON protocol does."""


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
    link_actions: frozenset[str] = frozenset()
    """Actions a person may call unsigned by visiting a link (SNS's SubscribeURL and UnsubscribeURL); every
    other GET must be signed."""


@dataclass(frozen=True)
class Reply:
    """Where a REST operation's result members go besides the JSON body."""

    status: str | None = None
    """The member holding the HTTP status (Lambda's Invoke: `StatusCode`)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Member -> response header."""
    payload: str | None = None
    """The member that is the whole body: bytes as they are, a structure as JSON."""


@dataclass(frozen=True)
class Route:
    """One REST operation: its method and path template, and where its input members travel."""

    operation: str
    method: str
    path: str
    """A template as in AWS's models: `/2015-03-31/functions/{FunctionName}/invocations`; `{Key+}` takes
    slashes too, and a `?name=value` tail is a query parameter the request must carry."""
    status: int = 200
    query: Mapping[str, str] = field(default_factory=dict)
    """Member -> query-string parameter."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Member -> request header."""
    payload: str | None = None
    """The member that is the whole request body: bytes as they are, a structure as JSON."""
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Members in the path, query string or headers that are not strings (`integer`, `boolean`, `list`), and
    `structure` for a payload member that travels as JSON rather than as raw bytes."""
    reply: Reply = field(default_factory=Reply)
    max_body: int | None = None
    """The largest request body the operation takes, when it is not the server's default."""


def message_only(error: AwsError) -> dict[str, Any]:
    return {"message": error.message}


@dataclass(frozen=True)
class RestWire:
    """The service's REST-JSON protocol (method and path name the operation; JSON or raw bodies)."""

    routes: tuple[Route, ...]
    error_body: Callable[[AwsError], dict[str, Any]] = message_only
    """The JSON body of an error (its code travels in `x-amzn-errortype`); Lambda adds `Type`."""
    malformed: Callable[[str], AwsError] | None = None
    """The error for a body that is not the JSON the route expects, given the parser's complaint."""
    too_large: Callable[[str, int], AwsError] | None = None
    """The error for a body over a route's limit (given its operation and that limit)."""


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
    rest: RestWire | None = None
    claims: Callable[[Mapping[str, str]], bool] = _no_params
    """For an action several services share (AddPermission, TagResource): whether these parameters name
    one of this service's resources (SQS: a QueueUrl)."""
