"""Moving messages between queues (to a dead-letter queue, and back by a move task) and move-task rows.

A move copies the row into the target queue and deletes the original in the same transaction, so a crash
leaves the message in exactly one of the two queues. The MessageId, body, attributes and digests travel.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from persistence import fifo

_COPY = """
INSERT INTO messages (queue_id, message_id, body, body_md5, attributes, system_attributes, sender_id, group_id,
    dedup_id, sent_ms, visible_at_ms, expires_at_ms, receive_count, first_receive_ms, received_at_ms,
    sequence_number, dead_letter_source)
SELECT :target, message_id, body, body_md5, attributes, system_attributes, sender_id, group_id, dedup_id,
    sent_ms, :now, CASE WHEN :from_now THEN :now ELSE sent_ms END + :retention,
    CASE WHEN :dead_letter_source IS NULL THEN 0 ELSE receive_count - 1 END,
    CASE WHEN :dead_letter_source IS NULL THEN NULL ELSE first_receive_ms END,
    CASE WHEN :dead_letter_source IS NULL THEN NULL ELSE received_at_ms END,
    :sequence, :dead_letter_source
FROM messages WHERE id = :row
RETURNING group_id
"""


@dataclass(frozen=True)
class Target:
    """Where moved messages go."""

    queue_id: int
    fifo: bool
    retention_ms: int
    dead_letter_source: str | None
    """To a dead-letter queue: the source queue's ARN (receive counts stay, less the receive that moved the
    message: AWS does not count that one). None: a redrive (they restart)."""


def move(conn: sqlite3.Connection, row_id: int, source_fifo: bool, target: Target, now_ms: int) -> bool:
    """Move one message; False when the target queue is gone (nothing changes then)."""
    sequence = fifo.next_sequence(conn, target.queue_id) if target.fifo else None
    if target.fifo and sequence is None:
        return False
    try:
        row = conn.execute(
            _COPY,
            {
                "target": target.queue_id,
                "now": now_ms,
                # A standard queue's retention keeps counting from the original send; FIFO restarts it.
                "from_now": target.fifo or target.dead_letter_source is None,
                "retention": target.retention_ms,
                "sequence": sequence,
                "dead_letter_source": target.dead_letter_source,
                "row": row_id,
            },
        ).fetchone()
    except sqlite3.IntegrityError:  # the foreign key: the target queue was deleted
        return False
    source = conn.execute(
        "DELETE FROM messages WHERE id = ? RETURNING queue_id, group_id", (row_id,)
    ).fetchone()
    if row is None or source is None:
        return True
    source_queue, group_id = source
    if source_fifo and group_id is not None:
        fifo.refresh_group(conn, source_queue, group_id)
    if target.fifo and group_id is not None:
        fifo.add_to_group(conn, target.queue_id, group_id, now_ms)
    return True
