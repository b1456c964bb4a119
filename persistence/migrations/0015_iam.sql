-- IAM's roles, customer-managed policies and users, per account: each one JSON document under its kind and
-- name (its attached policies, inline policies, versions, tags and access keys live in that document).
CREATE TABLE iam_entities (
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (account, kind, name)
) WITHOUT ROWID;
