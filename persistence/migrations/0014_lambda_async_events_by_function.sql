-- Event invocations are taken per function, each function up to its share, so one function's backlog (or a
-- throttled function's events) never holds back another's: found through this index.
CREATE INDEX lambda_async_events_by_function ON lambda_async_events (function_arn, due_ms);
