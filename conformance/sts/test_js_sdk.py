"""STS with the AWS SDK for JavaScript v3 (needs Node.js and npm; see conformance/js_sdk.py)."""

from __future__ import annotations

from conformance.js_sdk import js_sdk_test

test_js_sdk = js_sdk_test(
    "sts_checks.mjs",
    {
        "caller_identity": "GetCallerIdentity names a 12-digit account and an ARN in it",
        "assume_role_duration_is_a_validation_error": (
            "AssumeRole refuses a DurationSeconds under 900 with ValidationError"
        ),
    },
)
