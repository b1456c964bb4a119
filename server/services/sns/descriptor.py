"""SNS on the wire: the query protocol only (`Version=2010-03-31`)."""

from __future__ import annotations

from collections.abc import Mapping

from server.services.sns.operations import OPERATIONS
from server.services.sns.wire import INPUTS, OUTPUT
from server.wire import QueryWire, ServiceDescriptor


def _names_a_topic(form: Mapping[str, str]) -> bool:
    return "TopicArn" in form or form.get("ResourceArn", "").startswith("arn:aws:sns:")


DESCRIPTOR = ServiceDescriptor(
    name="sns",
    signing_name="sns",
    operations=OPERATIONS,
    query=QueryWire(version="2010-03-31", inputs=INPUTS, names=OUTPUT),
    claims=_names_a_topic,
)
