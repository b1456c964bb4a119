"""ListTopics and the ListSubscriptions calls: pages of 100, resumed from an opaque token."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import TypeVar

from server.services.sns.errors import invalid_parameter

PAGE = 100
T = TypeVar("T")


def page(items: list[T], key: Callable[[T], str], token: str | None) -> tuple[list[T], str | None]:
    """The page of `items` (sorted by `key`) after `token`, and the token of the next one, if any."""
    items = sorted(items, key=key)
    if token:
        try:
            after = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise invalid_parameter("NextToken") from None
        items = [item for item in items if key(item) > after]
    if len(items) <= PAGE:
        return items, None
    return items[:PAGE], base64.urlsafe_b64encode(key(items[PAGE - 1]).encode()).decode()
