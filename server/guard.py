"""Keeps web pages out: a browser on any site can send requests to localhost, SDKs never send `Origin`.

- Any route: a request whose `Origin` is not allowed, or that the browser marks `Sec-Fetch-Site: cross-site`,
  is refused (an `<img>` GET or a form POST from another site cannot delete a queue).
- Admin routes also check `Host` (after DNS rebinding a page's requests name the attacker's host), take writes
  only as `application/json` (which no cross-site form can send), and, when configured, want a token.

Health and readiness routes answer everyone: they change and reveal nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
OPEN_PATHS = ("/health", "/ready", "/_localstack/health")


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


@dataclass(frozen=True)
class Guard:
    allowed_origins: frozenset[str] = frozenset()
    """Origins (`scheme://host:port`) whose pages may call; `*` allows any."""
    admin_hosts: frozenset[str] = LOOPBACK_HOSTS
    """Host names (without port) the admin routes answer to."""
    admin_token: str | None = None

    @classmethod
    def build(
        cls, origins: list[str], admin_hosts: list[str], admin_token: str | None, base_url: str | None
    ) -> Guard:
        hosts = set(LOOPBACK_HOSTS) | {h.lower() for h in admin_hosts}
        if base_url:
            hosts.add((urlsplit(base_url).hostname or "").lower())
        return cls(frozenset(o.rstrip("/") for o in origins), frozenset(hosts), admin_token or None)

    def origin_refusal(self, headers: Mapping[str, str]) -> Refusal | None:
        """Every route: is this a cross-site browser request nobody allowed?"""
        origin = headers.get("origin")
        if origin is not None and self._allowed(origin):
            return None
        if origin is not None or headers.get("sec-fetch-site") == "cross-site":
            return Refusal(403, "Cross-site browser requests are refused (see --allow-origin).")
        return None

    def admin_refusal(self, method: str, path: str, headers: Mapping[str, str]) -> Refusal | None:
        """Admin routes: the right Host, JSON writes, and the token when there is one."""
        if path.startswith(OPEN_PATHS):
            return None
        host = _host_name(headers.get("host", ""))
        if host not in self.admin_hosts:
            return Refusal(403, f"The admin API does not answer to host {host!r} (see --admin-host).")
        if method not in ("GET", "HEAD"):
            media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type != "application/json":
                return Refusal(415, "Admin writes take Content-Type: application/json.")
        if self.admin_token is not None and not self._token_given(headers):
            return Refusal(401, "The admin API wants its token: Authorization: Bearer <token>.")
        return None

    def _allowed(self, origin: str) -> bool:
        return "*" in self.allowed_origins or origin.rstrip("/") in self.allowed_origins

    def _token_given(self, headers: Mapping[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.admin_token}"


def _host_name(host: str) -> str:
    """`Host` without its port, lower case (IPv6 literals keep their brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host
