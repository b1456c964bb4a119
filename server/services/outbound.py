"""Outbound requests to addresses users name (SNS HTTP/S subscribers, functions served by the user): never
to the cloud metadata endpoints, whatever name leads there."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx

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
