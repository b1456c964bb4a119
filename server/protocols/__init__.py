"""Wire protocols: decode requests into neutral parameters, encode results and errors back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WireResponse:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
