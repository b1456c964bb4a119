"""Random identifiers, fast: one read of OS entropy seeds a generator instead of one system call per id.

Message ids, request ids and receipt-handle salts must be unique and look like AWS's; none is a secret.
"""

from __future__ import annotations

import os
import random

_generator = random.Random(os.urandom(32))


def uuid4() -> str:
    """A random (version 4, RFC 4122 variant) UUID in its usual text form."""
    number = _generator.getrandbits(128)
    number = (number & ~(0xF000 << 64)) | (0x4000 << 64)
    number = (number & ~(0xC000 << 48)) | (0x8000 << 48)
    text = f"{number:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def random_hex(digits: int) -> str:
    return f"{_generator.getrandbits(digits * 4):0{digits}x}"
