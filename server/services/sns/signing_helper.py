"""The signing helper: a process that makes RSA signatures beside the server, so a PublishBatch's ten
signatures (about 80 µs each) do not hold the event loop. A thread cannot do it: each signature would wait
for the GIL to come back from the busy loop.

Run as `python signing_helper.py`; it reads frames from stdin and answers each on stdout, in order. A frame is
a 4-byte big-endian length and its bytes. The first frame is the key (PEM); each later one is a SignatureVersion
byte (`1`: SHA1, `2`: SHA256) then documents, each a 4-byte length and its bytes; the answer is their
signatures in base64, one per line. It exits at stdin's end (the server closed it, or died)."""

from __future__ import annotations

import base64
import struct
import sys
from typing import BinaryIO

LENGTH = struct.Struct(">I")
"""A frame's and a document's length prefix."""


def frame(payload: bytes) -> bytes:
    return LENGTH.pack(len(payload)) + payload


def documents_frame(version: str, documents: list[bytes]) -> bytes:
    return frame(version.encode() + b"".join(frame(document) for document in documents))


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        return None
    (length,) = LENGTH.unpack(head)
    return stream.read(length)


def _documents(payload: bytes) -> list[bytes]:
    found, at = [], 0
    while at < len(payload):
        (length,) = LENGTH.unpack_from(payload, at)
        at += LENGTH.size
        found.append(payload[at : at + length])
        at += length
    return found


def main() -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    pem = _read_frame(source)
    if pem is None:
        return
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    pad, digests = padding.PKCS1v15(), {ord("1"): hashes.SHA1(), ord("2"): hashes.SHA256()}
    while (payload := _read_frame(source)) is not None:
        digest = digests[payload[0]]
        signatures = [
            base64.b64encode(key.sign(document, pad, digest)) for document in _documents(payload[1:])
        ]
        sink.write(frame(b"\n".join(signatures)))
        sink.flush()


if __name__ == "__main__":
    main()
