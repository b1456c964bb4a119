-- Published function versions (each a snapshot of the configuration and the code, never changed) and the
-- aliases that point at them. Both go with their function.
CREATE TABLE lambda_versions (
    function_arn TEXT NOT NULL REFERENCES lambda_functions (arn) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    configuration TEXT NOT NULL,
    code BLOB NOT NULL,
    PRIMARY KEY (function_arn, version)
) WITHOUT ROWID;

CREATE TABLE lambda_aliases (
    function_arn TEXT NOT NULL REFERENCES lambda_functions (arn) ON DELETE CASCADE,
    name TEXT NOT NULL,
    configuration TEXT NOT NULL,
    PRIMARY KEY (function_arn, name)
) WITHOUT ROWID;
