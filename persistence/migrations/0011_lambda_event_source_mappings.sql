-- Lambda event-source mappings (SQS): the configuration as a JSON object (BatchSize, window, Enabled,
-- FilterCriteria, FunctionResponseTypes, ScalingConfig, ...). Pollers resume the enabled ones at start.
CREATE TABLE lambda_event_source_mappings (
    uuid TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    source_arn TEXT NOT NULL,
    configuration TEXT NOT NULL
);
