"""Outbound requests to addresses users name (SNS HTTP/S subscribers, functions served by the user): never
to the cloud metadata endpoints, whatever name leads there, and never into Posthouse itself.

Every outbound request carries this process's loop mark, and the edge refuses any request that bears it
(`server.guard`): a subscription pointed at `http://127.0.0.1:4566/admin/reset`, or at the AWS APIs by any
name or address that reaches them, gets 403. The mark is no secret: it can only make a request be refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported by the edge at start-up: httpx itself only once a delivery needs it
    import httpx

LOOP_HEADER = "x-posthouse-loop"
LOOP_MARK = secrets.token_urlsafe(16)
"""This process's mark on its outbound requests."""


def client(**options: Any) -> httpx.AsyncClient:
    """An HTTP client for outbound deliveries: no redirects followed, no proxy settings from the
    environment, and the loop mark on every request."""
    import httpx

    return httpx.AsyncClient(
        follow_redirects=False, trust_env=False, headers={LOOP_HEADER: LOOP_MARK}, **options
    )


METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class Refused(Exception):
    """The endpoint is one Posthouse never calls."""


async def _addresses(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port)
    return [str(info[4][0]) for info in infos]


async def check_destination(url: httpx.URL) -> None:
    """Refuse cloud metadata endpoints, by address or by any name that resolves to one."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    for address in await _addresses(host, port):
        parsed = ipaddress.ip_address(address.split("%")[0])
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        if parsed in METADATA_ADDRESSES:
            raise Refused(f"{host} is a cloud metadata address")
