"""A minimal HTTP/1.1 client on asyncio streams: thousands of connections from one process, no dependency.

Requests are unsigned AWS JSON 1.0 calls, which Posthouse accepts as a signed SDK request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader = reader
        self._writer = writer
        self._host = host

    @classmethod
    async def open(cls, endpoint: str) -> Connection:
        parts = urlsplit(endpoint)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, parts.netloc)

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self._writer.drain()
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return Reply(int(status_line.split()[1]), await self._reader.readexactly(length))

    async def sqs(self, operation: str, params: dict[str, Any]) -> Reply:
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{operation}"}
        return await self.request("POST", "/", json.dumps(params).encode(), headers)

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()


async def call_once(endpoint: str, operation: str, params: dict[str, Any]) -> Reply:
    """One SQS call on a connection of its own."""
    connection = await Connection.open(endpoint)
    try:
        return await connection.sqs(operation, params)
    finally:
        await connection.close()
