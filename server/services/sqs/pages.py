"""Paging through queue lists (ListQueues, ListDeadLetterSourceQueues): MaxResults and NextToken.

Lists are in name order and a token names the last queue of the page before, so a page never repeats or
skips a queue created or deleted in between. A NextToken is given only when MaxResults was.
"""

from __future__ import annotations

import base64
import binascii

from persistence.records import QueueRecord
from server.errors import invalid_parameter_value
from server.services.params import Params
from server.services.sqs.errors import invalid_value

MAX_RESULTS = 1000


def _page_start(token: str | None) -> str:
    if token is None:
        return ""
    try:
        after = base64.b64decode(token, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        after = ""
    if not after:
        raise invalid_parameter_value("Invalid NextToken value.")
    return after


def page_of(queues: list[QueueRecord], params: Params) -> tuple[list[QueueRecord], str | None]:
    """The page of `queues` (in name order) a request asks for, and the token for the next page, if any."""
    limit = params.integer("MaxResults")
    if limit is not None and not 1 <= limit <= MAX_RESULTS:
        raise invalid_value(
            "MaxResults", limit, f"MaxResults must be an integer between 1 and {MAX_RESULTS}."
        )
    after = _page_start(params.text("NextToken"))
    found = [queue for queue in queues if queue.name > after]
    page = found[: limit or MAX_RESULTS]
    more = limit is not None and len(found) > len(page)
    return page, base64.urlsafe_b64encode(page[-1].name.encode()).decode() if more else None
