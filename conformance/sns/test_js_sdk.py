"""SNS with the AWS SDK for JavaScript v3 (needs Node.js and npm; see conformance/js_sdk.py)."""

from __future__ import annotations

from conformance.js_sdk import js_sdk_test

test_js_sdk = js_sdk_test(
    "sns_checks.mjs",
    {
        "publish_reaches_a_queue_in_an_envelope": "Publish reaches a subscribed queue in a signed envelope",
        "raw_delivery_keeps_attributes": "Raw delivery keeps the message attributes",
        "publish_batch_answers_every_id": "PublishBatch answers every entry's Id",
        "missing_topic_is_not_found": "A deleted topic is NotFoundException (404)",
        "empty_message_is_invalid_parameter": "An empty message is InvalidParameterException",
    },
)
