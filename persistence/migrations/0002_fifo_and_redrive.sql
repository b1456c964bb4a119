-- FIFO queues, fair queues, dead-letter moves and message move tasks.

ALTER TABLE queues ADD COLUMN last_sequence INTEGER NOT NULL DEFAULT 0;  -- FIFO SequenceNumber counter

ALTER TABLE messages ADD COLUMN sequence_number INTEGER;       -- FIFO only
ALTER TABLE messages ADD COLUMN dead_letter_source TEXT;       -- ARN of the queue a dead letter came from

-- A group's messages in enqueue order (FIFO heads) and its received ones (FIFO locks, fair-queue shares).
CREATE INDEX messages_by_group ON messages (queue_id, group_id, id) WHERE group_id IS NOT NULL;
CREATE INDEX messages_received_by_group ON messages (queue_id, group_id, visible_at_ms)
    WHERE group_id IS NOT NULL AND receive_count > 0;

-- One row per FIFO message group that holds messages. ready_at_ms is the latest of its head's
-- visible_at_ms and the visible_at_ms of every received message of the group: from then on the head may be
-- delivered and nothing of the group is in flight.
CREATE TABLE fifo_groups (
    queue_id INTEGER NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    ready_at_ms INTEGER NOT NULL,
    PRIMARY KEY (queue_id, group_id)
) WITHOUT ROWID;
CREATE INDEX fifo_groups_by_ready ON fifo_groups (queue_id, ready_at_ms);

-- Deduplication ids seen in the last five minutes; they outlive the messages they admitted.
CREATE TABLE fifo_dedup (
    queue_id INTEGER NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    dedup_id TEXT NOT NULL,
    group_id TEXT NOT NULL,            -- '' under DeduplicationScope=queue
    message_id TEXT NOT NULL,
    sequence_number INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (queue_id, dedup_id, group_id)
) WITHOUT ROWID;
CREATE INDEX fifo_dedup_by_expiry ON fifo_dedup (expires_at_ms);

-- ReceiveRequestAttemptId: what a receive returned, so a retry within five minutes returns it again.
CREATE TABLE receive_attempts (
    queue_id INTEGER NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    attempt_id TEXT NOT NULL,
    messages TEXT NOT NULL,            -- JSON [[row id, receive count, visible_at_ms], ...]
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (queue_id, attempt_id)
) WITHOUT ROWID;
CREATE INDEX receive_attempts_by_expiry ON receive_attempts (expires_at_ms);

-- Message move tasks (DLQ redrive). They outlive their source queue so ListMessageMoveTasks can show them.
CREATE TABLE move_tasks (
    id INTEGER PRIMARY KEY,
    task_id TEXT NOT NULL UNIQUE,
    source_queue_id INTEGER NOT NULL,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,              -- NULL: back to each message's own source queue
    rate INTEGER,                      -- MaxNumberOfMessagesPerSecond as given, NULL when not given
    status TEXT NOT NULL,
    moved INTEGER NOT NULL DEFAULT 0,
    to_move INTEGER NOT NULL,
    last_row_id INTEGER NOT NULL,      -- only messages at or below this row id (there at the start) move
    started_ms INTEGER NOT NULL,
    failure_reason TEXT
);
CREATE INDEX move_tasks_by_source ON move_tasks (source_arn, id);
