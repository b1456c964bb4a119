-- SNS subscriptions: one row per (topic, protocol, endpoint); attributes as a JSON object. A pending one
-- (http, https, email) keeps the token that confirms it.
CREATE TABLE sns_subscriptions (
    arn TEXT PRIMARY KEY,
    topic_arn TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    owner TEXT NOT NULL,
    attributes TEXT NOT NULL,
    pending INTEGER NOT NULL,
    token TEXT
);
CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions (topic_arn);
