"""Fair queues: a standard queue whose messages carry a MessageGroupId serves its tenants fairly.

The rule (AWS's concurrency-share measure): a tenant (message group) is *noisy* while it has at least
`NOISY_MIN_IN_FLIGHT` messages in flight and more than `NOISY_SHARE` of all the queue's in-flight messages.
A receive then takes the oldest visible messages of the quiet tenants (messages without a group are each their
own tenant, so never noisy) and fills what room is left from the noisy tenants, the one with the fewest
messages in flight first. Without noisy tenants a fair queue is served oldest first like any standard queue.
AWS's second measure (share of recent processing time) is not emulated. Messages without a group id are only
preferred when they are among the `QUIET_WINDOW` oldest visible messages, and a receive asks at most
`MAX_GROUPS_SCANNED` groups (in group id order) for their messages.
"""

from __future__ import annotations

import sqlite3

from persistence import messages as message_rows
from persistence.records import MessageRecord

NOISY_MIN_IN_FLIGHT = 30
NOISY_SHARE = 0.10
QUIET_WINDOW = 200
"""How many of the oldest visible messages a receive reads when looking for quiet tenants' messages."""
MAX_GROUPS_SCANNED = 1000
"""How many message groups a receive asks for their first messages when that window held too few."""


def noisy_tenants(in_flight_total: int, in_flight_by_group: dict[str, int]) -> list[str]:
    """The noisy tenants, fewest messages in flight first."""
    noisy = [
        group
        for group, count in in_flight_by_group.items()
        if count >= NOISY_MIN_IN_FLIGHT and count > NOISY_SHARE * in_flight_total
    ]
    return sorted(noisy, key=lambda group: (in_flight_by_group[group], group))


def claim(
    conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int, visibility_ms: int
) -> list[MessageRecord]:
    noisy = noisy_tenants(*message_rows.in_flight_by_group(conn, queue_id, now_ms))
    if not noisy:
        return message_rows.claim(conn, queue_id, now_ms, limit, visibility_ms)
    chosen = _quiet_candidates(conn, queue_id, now_ms, limit, set(noisy))[:limit]
    for group in noisy:  # what room is left goes to the noisy tenants, fewest in flight first
        if len(chosen) == limit:
            break
        chosen += message_rows.visible_in_group(conn, queue_id, group, now_ms, limit - len(chosen))
    return message_rows.claim_ids(conn, [row_id for row_id, _ in chosen], now_ms, visibility_ms)


def _quiet_candidates(
    conn: sqlite3.Connection, queue_id: int, now_ms: int, limit: int, noisy: set[str]
) -> list[tuple[int, int]]:
    """(row id, visible_at_ms) of the quiet tenants' oldest visible messages, oldest first.

    Looks at the queue's oldest visible messages first (a bounded read); when a noisy tenant's backlog fills
    that window, asks each quiet group for its first visible messages instead (one index seek per group), so the
    cost never grows with the noisy backlog. Group-less messages are only found in the window.
    """
    window = message_rows.oldest_visible(conn, queue_id, now_ms, QUIET_WINDOW)
    found = {row_id: visible_at for row_id, visible_at, group in window if group not in noisy}
    if len(found) < limit:
        for group in message_rows.group_ids(conn, queue_id, MAX_GROUPS_SCANNED):
            if group not in noisy:
                found.update(message_rows.visible_in_group(conn, queue_id, group, now_ms, limit))
    return sorted(found.items(), key=lambda item: (item[1], item[0]))
