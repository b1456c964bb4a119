"""STS on the wire: the query protocol only (`Version=2011-06-15`)."""

from __future__ import annotations

from server.services.sts.operations import OPERATIONS
from server.wire import QueryWire, ServiceDescriptor, XmlNames

DESCRIPTOR = ServiceDescriptor(
    name="sts",
    signing_name="sts",
    operations=OPERATIONS,
    query=QueryWire(
        version="2011-06-15",
        inputs={},  # lists in STS inputs (PolicyArns, Tags) are accepted and not used
        names=XmlNames(namespace="https://sts.amazonaws.com/doc/2011-06-15/", lists={}, maps={}),
    ),
)
