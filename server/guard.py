"""Keeps web pages out: a browser on any site can send requests to localhost; SDKs send no `Origin`.

Every route, AWS APIs, admin and health alike:
- `Host` must be one Posthouse may be called by (a DNS-rebound page's requests name the attacker's public,
  multi-label host): IP literals, `localhost` and `*.localhost`, single-label names (containers, compose
  services), the Docker host names, the base URL's host and its subdomains, and `--allowed-host`.
- A request whose `Origin` is not allowed, or that the browser marks `cross-site` or `same-site` without an
  allowed `Origin`, is refused (an `<img>` GET or a form POST from another page cannot delete a queue).
- A request carrying this process's loop mark came from one of its own outbound deliveries (an SNS HTTP
  subscription, a served function) and is refused: deliveries never reach the server that sends them.

Admin routes also take writes only as `application/json` (which no cross-site form can send) and, when
configured, want a token. An allowed origin gets CORS answers (preflight and exposed headers).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from server.services.outbound import LOOP_HEADER, LOOP_MARK

OPEN_PATHS = ("/health", "/ready", "/_localstack/health")
ADMIN_PREFIXES = ("/admin",)
# Names that reach the machine itself or a container's host, and LocalStack's well-known local name (its
# owners, not an attacker, control that zone). A rebinding attacker needs a name whose DNS they control.
KNOWN_LOCAL_HOSTS = frozenset({"host.docker.internal", "host.containers.internal", "gateway.docker.internal"})
KNOWN_LOCAL_SUFFIXES = ("localhost", "localhost.localstack.cloud")
KNOWN_HOSTS_KEPT = 1024
# What browsers may send and read across origins (for origins that --allow-origin lets in).
_ALLOWED_REQUEST_HEADER_PREFIXES = ("x-amz-", "x-amzn-", "amz-sdk-")
_ALLOWED_REQUEST_HEADERS = frozenset({"authorization", "content-type", "x-api-key", "cache-control"})
_EXPOSED_HEADERS = (
    "x-amzn-requestid, x-amzn-errortype, x-amzn-query-error, x-amz-request-id, x-amz-id-2, x-amz-crc32, "
    "x-amz-function-error, x-amz-log-result, x-amz-executed-version, date, etag"
)
_METHODS = "GET, POST, PUT, DELETE, PATCH, HEAD"


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


def host_name(host: str) -> str:
    """`Host` without its port and trailing dot, lower case (IPv6 literals keep their brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    name = host.rpartition(":")[0] if ":" in host else host
    return name.rstrip(".")


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _under(name: str, suffixes: tuple[str, ...]) -> bool:
    return any(name == suffix or name.endswith("." + suffix) for suffix in suffixes)


@dataclass(frozen=True)
class Guard:
    allowed_origins: frozenset[str] = frozenset()
    """Origins (`scheme://host:port`) whose pages may call; `*` allows any."""
    allowed_hosts: frozenset[str] = frozenset()
    """Extra host names (`--allowed-host`): exact names, `*.example.com` for a domain, `*` for every host."""
    admin_token: str | None = None
    loop_mark: str = LOOP_MARK
    """This process's mark on its outbound requests (see server.services.outbound)."""
    host_suffixes: tuple[str, ...] = KNOWN_LOCAL_SUFFIXES
    """Domains whose every name is allowed."""
    _known_hosts: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    """Host headers already judged (checked on every request; a handful in practice, capped)."""

    @classmethod
    def build(
        cls, origins: list[str], hosts: list[str], admin_token: str | None, base_url: str | None
    ) -> Guard:
        exact = {host_name(h) for h in hosts if not h.startswith("*")}
        suffixes = list(KNOWN_LOCAL_SUFFIXES) + [h[2:].lower() for h in hosts if h.startswith("*.")]
        if "*" in hosts:
            exact.add("*")
        if base_url:  # its host, and the region-bearing queue URL styles' subdomains of it
            base_host = (urlsplit(base_url).hostname or "").lower()
            if base_host:
                suffixes.append(base_host)
        return cls(
            frozenset(o.rstrip("/") for o in origins),
            frozenset(exact),
            admin_token or None,
            host_suffixes=tuple(suffixes),
        )

    def refusal(self, method: str, path: str, headers: Mapping[str, str]) -> Refusal | None:
        """Why this request is refused, or None: every route's checks, then the admin routes' own."""
        refused = self._host_refusal(headers) or self._origin_refusal(headers)
        if refused is None and headers.get(LOOP_HEADER) == self.loop_mark:
            refused = Refusal(403, "Posthouse's own outbound deliveries may not call Posthouse.")
        if refused is None and path.startswith(ADMIN_PREFIXES):
            refused = self._admin_refusal(method, headers)
        return refused

    def host_allowed(self, host: str) -> bool:
        known = self._known_hosts.get(host)
        if known is None:
            known = self._judge_host(host)
            if len(self._known_hosts) < KNOWN_HOSTS_KEPT:
                self._known_hosts[host] = known
        return known

    def _judge_host(self, host: str) -> bool:
        name = host_name(host)
        return (
            not name
            or "." not in name  # a single label: a container, a compose service, a machine on the LAN
            or _is_ip_literal(name)
            or name in KNOWN_LOCAL_HOSTS
            or name in self.allowed_hosts
            or "*" in self.allowed_hosts
            or _under(name, self.host_suffixes)
        )

    def _host_refusal(self, headers: Mapping[str, str]) -> Refusal | None:
        host = headers.get("host", "")
        if self.host_allowed(host):
            return None
        name = host_name(host)
        return Refusal(
            403,
            f"Posthouse does not answer to host {name!r} (protection against DNS rebinding). If you call it by"
            f" this name, start it with --allowed-host {name} (or POSTHOUSE_ALLOWED_HOSTS={name}).",
        )

    def _origin_refusal(self, headers: Mapping[str, str]) -> Refusal | None:
        origin = headers.get("origin")
        if origin is not None and (
            self.origin_allowed(origin) or _same_origin(origin, headers.get("host", ""))
        ):
            return None  # an allowed page, or Posthouse's own (the dashboard), on a Host already checked
        if origin is not None or headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return Refusal(403, "Browser requests from other pages are refused (see --allow-origin).")
        return None

    def _admin_refusal(self, method: str, headers: Mapping[str, str]) -> Refusal | None:
        if method not in ("GET", "HEAD", "OPTIONS"):
            media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type != "application/json":
                return Refusal(415, "Admin writes take Content-Type: application/json.")
        if self.admin_token is not None and headers.get("authorization") != f"Bearer {self.admin_token}":
            return Refusal(401, "The admin API wants its token: Authorization: Bearer <token>.")
        return None

    def origin_allowed(self, origin: str) -> bool:
        return "*" in self.allowed_origins or origin.rstrip("/") in self.allowed_origins

    def cors_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """What an answer to an allowed page carries so that its browser lets the page read it."""
        origin = headers.get("origin")
        if origin is None or not self.origin_allowed(origin):
            return {}
        return {
            "access-control-allow-origin": origin,
            "access-control-expose-headers": _EXPOSED_HEADERS,
            "vary": "Origin",
        }

    def preflight(self, headers: Mapping[str, str]) -> dict[str, str] | None:
        """The headers of a 204 answer when this OPTIONS request is a CORS preflight from an allowed page."""
        if "access-control-request-method" not in headers:
            return None
        cors = self.cors_headers(headers)
        if not cors:
            return None
        asked = [h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",")]
        granted = [
            h
            for h in asked
            if h in _ALLOWED_REQUEST_HEADERS or h.startswith(_ALLOWED_REQUEST_HEADER_PREFIXES)
        ]
        return cors | {
            "access-control-allow-methods": _METHODS,
            "access-control-allow-headers": ", ".join(granted),
            "access-control-max-age": "600",
        }


def _same_origin(origin: str, host: str) -> bool:
    """Whether a page's Origin is this server as the request names it (scheme aside): its own dashboard."""
    return bool(host) and origin.partition("://")[2].rstrip("/").lower() == host.lower()
