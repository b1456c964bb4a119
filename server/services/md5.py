"""The MD5 digests SQS (and SNS deliveries into SQS) return for message bodies and attributes, bit-exact with AWS.

Attribute digest: names sorted by UTF-16 code units (as the Java SDK does); for each, the length-prefixed
name, the length-prefixed data type, one transport byte (1 string, 2 binary) and the length-prefixed value.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Mapping
from typing import Any

_STRING, _BINARY = b"\x01", b"\x02"


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """Digest of attributes in wire form: {name: {"DataType", "StringValue" | "BinaryValue" (base64)}}."""
    digest = hashlib.md5()
    for name in sorted(attributes, key=lambda n: n.encode("utf-16-be")):
        value = attributes[name]
        digest.update(_prefixed(name.encode("utf-8")))
        digest.update(_prefixed(value["DataType"].encode("utf-8")))
        if "BinaryValue" in value:
            digest.update(_BINARY + _prefixed(base64.b64decode(value["BinaryValue"])))
        else:
            digest.update(_STRING + _prefixed(value["StringValue"].encode("utf-8")))
    return digest.hexdigest()
