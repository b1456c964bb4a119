-- Lambda functions: the configuration as a JSON object (what GetFunctionConfiguration shows, less what is
-- derived), and the deployment package (a zip) beside it.
CREATE TABLE lambda_functions (
    arn TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    configuration TEXT NOT NULL,
    tags TEXT NOT NULL,
    code BLOB NOT NULL
);
