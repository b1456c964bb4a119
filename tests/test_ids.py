"""Identifiers are valid version-4 UUIDs and do not repeat."""

from __future__ import annotations

import uuid

from server.ids import random_hex, uuid4


def test_uuid4_is_rfc_4122_version_4() -> None:
    values = [uuid4() for _ in range(10_000)]
    assert len(set(values)) == len(values)
    for value in values[:100]:
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == value


def test_random_hex_has_fixed_width() -> None:
    assert all(len(random_hex(8)) == 8 for _ in range(1000))
    assert len({random_hex(8) for _ in range(1000)}) > 990
