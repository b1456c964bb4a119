"""Lambda with the AWS SDK for JavaScript v3 (needs Node.js and npm; see conformance/js_sdk.py). The
function's zip is built here and handed to the script."""

from __future__ import annotations

import base64

from conformance.js_sdk import js_sdk_test
from conformance.lambda_.conftest import ROLE, zipped

HANDLER = """
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("js asked to fail")
    return {"greeting": "hello " + event["name"]}
"""

test_js_sdk = js_sdk_test(
    "lambda_checks.mjs",
    {
        "invoke_returns_the_payload": "Invoke answers 200 with the handler's JSON payload",
        "function_error_is_unhandled": "A raising handler answers FunctionError Unhandled with errorType",
        "missing_function_is_not_found": "A missing function is ResourceNotFoundException (404)",
        "alias_runs_its_version": "PublishVersion answers 201; Invoke with an alias Qualifier runs its version",
        "mapping_is_created_and_deleted": "CreateEventSourceMapping answers Creating; Delete answers Deleting",
    },
    {"FUNCTION_ZIP": base64.b64encode(zipped({"handler.py": HANDLER})).decode(), "ROLE": ROLE},
)
