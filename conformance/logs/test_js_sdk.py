"""The end-to-end flow around Lambda with the AWS SDK for JavaScript v3 (needs Node.js and npm; see
conformance/js_sdk.py): a role, a function mapped to a queue, its output read back from CloudWatch Logs."""

from __future__ import annotations

import base64

from conformance.js_sdk import js_sdk_test
from conformance.lambda_.conftest import zipped
from conformance.logs.flow import PRINTER

test_js_sdk = js_sdk_test(
    "flow_checks.mjs",
    {
        "role_function_mapping_and_logs": "A role with AWS's SQS execution policy, a function mapped to a queue,"
        " its output read back from CloudWatch Logs",
    },
    {"FUNCTION_ZIP": base64.b64encode(zipped({"handler.py": PRINTER})).decode()},
)
