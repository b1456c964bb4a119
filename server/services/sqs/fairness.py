"""Fair queues: a standard queue whose messages carry a MessageGroupId serves its tenants fairly.

The rule (AWS's concurrency-share measure): a tenant (message group) is *noisy* while it has at least
`NOISY_MIN_IN_FLIGHT` messages in flight and more than `NOISY_SHARE` of all the queue's in-flight messages.
A receive then takes the oldest visible messages of the quiet tenants (messages without a group are each their
own tenant, so never noisy) and fills what room is left from the noisy tenants, the one with the fewest
messages in flight first. Without noisy tenants a fair queue is served oldest first like any standard queue.
AWS's second measure (share of recent processing time) is not emulated.
"""

from __future__ import annotations

import sqlite3

from persistence import messages as message_rows
from persistence.records import MessageRecord

NOISY_MIN_IN_FLIGHT = 30
NOISY_SHARE = 0.10


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
    claimed = message_rows.claim_quiet(conn, queue_id, now_ms, limit, visibility_ms, noisy)
    for group in noisy:
        if len(claimed) == limit:
            break
        claimed += message_rows.claim_group(
            conn, queue_id, now_ms, limit - len(claimed), visibility_ms, group
        )
    return claimed
