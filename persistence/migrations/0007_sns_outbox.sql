-- SNS deliveries that go out over the network (HTTP/HTTPS): written in the transaction that publishes (or
-- subscribes, or unsubscribes), sent by a worker, rescheduled after a failed attempt, deleted once delivered or
-- given up on. So a delivery survives a restart or a kill -9 between the publish and the POST.
CREATE TABLE sns_outbox (
    id INTEGER PRIMARY KEY,
    subscription_arn TEXT NOT NULL,
    topic_arn TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    kind TEXT NOT NULL,          -- Notification, SubscriptionConfirmation or UnsubscribeConfirmation
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    raw INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_ms INTEGER NOT NULL
);
CREATE INDEX sns_outbox_by_due ON sns_outbox (due_ms);
