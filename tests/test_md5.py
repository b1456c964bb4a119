"""MD5 digests against the vectors recorded from real AWS (spec sqs.md / protocols.md §6.2)."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest

from server.services.md5 import md5_of_attributes, md5_of_body


def s(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


THREE = {"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")}


def test_body_digest() -> None:
    assert md5_of_body("msg") == "6e2baaf3b97dbeef01c0043275f9a0e7"


@pytest.mark.parametrize(
    ("attributes", "digest"),
    [
        ({"Foo": s("Bar")}, "ae7155c6026991b6d54b11589678bf9c"),
        (THREE, "4c360f3fdafd970e05fae2f149d997f5"),
        ({k: THREE[k] for k in ("Hello", "General")}, "fca026605781cb4126a1e9044df24232"),
        ({"Hello": THREE["Hello"]}, "a311262e065454b75da111d535b8dacd"),
        ({k: THREE[k] for k in ("Hello", "Help.Me")}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
        (
            {
                "attr1": {
                    "DataType": "Binary",
                    "BinaryValue": base64.b64encode(
                        b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
                    ).decode(),
                }
            },
            "8cbe4db156db8a94db8b801b7addb984",
        ),
        (
            {
                "AWSTraceHeader": s(
                    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
                )
            },
            "5ae4d5d7636402d80f4eb6d213245a88",
        ),
    ],
)
def test_attribute_digests(attributes: dict[str, dict[str, str]], digest: str) -> None:
    assert md5_of_attributes(attributes) == digest


def _encoded(name: str, value: str) -> bytes:
    def prefixed(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    return prefixed(name.encode()) + prefixed(b"String") + b"\x01" + prefixed(value.encode())


def test_attribute_order_is_utf16_code_units() -> None:
    # By code point U+FF5E comes first; in UTF-16 (the Java SDK's order) U+10000 does: it starts with 0xD800.
    expected = hashlib.md5(_encoded("\U00010000", "b") + _encoded("\uff5e", "a")).hexdigest()
    assert md5_of_attributes({"\uff5e": s("a"), "\U00010000": s("b")}) == expected
