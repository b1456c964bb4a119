-- Queues and their messages. Times are integer epoch milliseconds unless the column says _s.
CREATE TABLE queues (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    attributes TEXT NOT NULL,          -- JSON object of the settable attributes, all values strings
    tags TEXT NOT NULL DEFAULT '{}',   -- JSON object
    created_s INTEGER NOT NULL,
    modified_s INTEGER NOT NULL,
    last_purge_ms INTEGER,
    UNIQUE (account, region, name)
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,            -- grows with every send: the enqueue order
    queue_id INTEGER NOT NULL REFERENCES queues (id),
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    body_md5 TEXT NOT NULL,
    attributes BLOB,                   -- JSON of the message attributes, NULL when there are none
    system_attributes BLOB,            -- JSON of AWSTraceHeader and friends, NULL when none
    sender_id TEXT NOT NULL,
    group_id TEXT,
    dedup_id TEXT,
    sent_ms INTEGER NOT NULL,
    visible_at_ms INTEGER NOT NULL,    -- delayed or in flight while this is in the future
    expires_at_ms INTEGER NOT NULL,    -- sent_ms + the queue's retention period
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_receive_ms INTEGER,
    received_at_ms INTEGER             -- latest receive: the 12-hour visibility cap counts from here
);

CREATE INDEX messages_by_visibility ON messages (queue_id, visible_at_ms);
CREATE INDEX messages_by_expiry ON messages (expires_at_ms);
