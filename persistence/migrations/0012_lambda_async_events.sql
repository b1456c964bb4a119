-- Lambda's asynchronous (Event) invocations: kept from the 202 until the function has taken them (or the
-- retries and the event's age are used up and a destination or dead-letter queue got them), so a restart or a
-- kill -9 loses none.
CREATE TABLE lambda_async_events (
    id INTEGER PRIMARY KEY,
    function_arn TEXT NOT NULL,
    request_id TEXT NOT NULL,
    payload BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX lambda_async_events_by_due ON lambda_async_events (due_ms);
