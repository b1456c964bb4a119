"""SQS on the wire: AWS JSON 1.0 (`AmazonSQS.*`, query-compatible errors) and the query protocol."""

from __future__ import annotations

import re
from collections.abc import Mapping

from server.services.sqs.operations import OPERATIONS
from server.services.sqs.wire import INPUTS, OUTPUT
from server.wire import QueryWire, ServiceDescriptor

# `/account/name` or `/queue/<region>/account/name` of a queue URL: query requests sent there (the Java SDK
# v1 style) are SQS requests.
_QUEUE_PATH = re.compile(r"(/queue/[a-z0-9-]{1,50})?/\d{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?/?")


def _is_queue_path(path: str) -> bool:
    return _QUEUE_PATH.fullmatch(path) is not None


def _names_a_queue(form: Mapping[str, str]) -> bool:
    return "QueueUrl" in form


DESCRIPTOR = ServiceDescriptor(
    name="sqs",
    signing_name="sqs",
    operations=OPERATIONS,
    json_target_prefix="AmazonSQS",
    query_compatible=True,
    query=QueryWire(
        version="2012-11-05",
        inputs=INPUTS,
        names=OUTPUT,
        owns_path=_is_queue_path,
        root_only=frozenset({"CreateQueue", "ListQueues"}),
    ),
    claims=_names_a_queue,
)
