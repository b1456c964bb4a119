-- Temporary credentials issued by STS (AssumeRole, GetSessionToken): their access key acts as this identity.
CREATE TABLE sts_credentials (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    session_token TEXT NOT NULL,
    account TEXT NOT NULL,
    arn TEXT NOT NULL,                 -- what GetCallerIdentity answers for these credentials
    user_id TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
