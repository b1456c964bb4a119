"""Receipt handles: opaque to clients, they name the message and the receive that issued them.

A handle carries the message's row id, its message id and its receive count at that receive, so a
handle from an earlier receive can be told from the current one (ChangeMessageVisibility needs that). A
receive issues the same handle when a FIFO ReceiveRequestAttemptId retry returns the same receive again.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass

from server.services.sqs.errors import sqs_error

_FORMAT = re.compile(r"(\d{1,18}):(\d{1,9}):([0-9a-f-]{36}):[0-9a-f]{8}")
"""Row ids below 10^18 and counts below 10^9: within SQLite's 64-bit integers, so a forged handle is just invalid."""


@dataclass(frozen=True)
class Receipt:
    row_id: int
    receive_count: int
    message_id: str


def issue(row_id: int, receive_count: int, message_id: str) -> str:
    text = f"{row_id}:{receive_count}:{message_id}"
    check = zlib.crc32(text.encode())
    return base64.b64encode(f"{text}:{check:08x}".encode()).decode()


def parse(handle: str) -> Receipt:
    try:
        match = _FORMAT.fullmatch(base64.b64decode(handle, validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        match = None
    if match is None:
        raise sqs_error(
            "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.'
        )
    return Receipt(int(match.group(1)), int(match.group(2)), match.group(3))
