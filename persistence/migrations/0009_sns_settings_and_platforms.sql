-- SNS's per-account settings: SMS attributes, opted-out phone numbers, SMS sandbox numbers (kind, key, value).
CREATE TABLE sns_settings (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, key)
);
-- Mobile push: platform applications and their endpoints (attributes as JSON objects).
CREATE TABLE sns_platform_applications (
    arn TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE TABLE sns_platform_endpoints (
    arn TEXT PRIMARY KEY,
    application_arn TEXT NOT NULL REFERENCES sns_platform_applications (arn) ON DELETE CASCADE,
    token TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX sns_platform_endpoints_by_application ON sns_platform_endpoints (application_arn);
