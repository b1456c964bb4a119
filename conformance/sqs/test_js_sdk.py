"""The AWS SDK for JavaScript v3, which checks body digests and sends requests to the QueueUrl's host.

Needs Node.js and npm (see conformance/js_sdk.py).
"""

from __future__ import annotations

from conformance.js_sdk import js_sdk_test

test_js_sdk = js_sdk_test(
    "sqs_checks.mjs",
    {
        "send_receive_delete_with_attributes": "Send, receive and delete with String, Number and Binary attributes",
        "batch_send_receive_delete": "Batch send, receive and batch delete",
        "fifo_send_and_receive_in_order": "FIFO send with increasing SequenceNumbers, received in order",
        "error_maps_to_exception_class": "A missing queue raises the SDK's QueueDoesNotExist",
    },
)
