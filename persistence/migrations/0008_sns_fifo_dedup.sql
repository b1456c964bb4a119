-- FIFO topics' deduplication: what a deduplication id (per topic, or per message group) was first published
-- as, for five minutes. A duplicate answers the first one's message id and sequence number and goes nowhere.
CREATE TABLE sns_fifo_dedup (
    topic_arn TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (topic_arn, dedup_key)
);
CREATE INDEX sns_fifo_dedup_by_expiry ON sns_fifo_dedup (expires_ms);
