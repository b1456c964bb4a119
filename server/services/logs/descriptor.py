"""CloudWatch Logs on the wire: AWS JSON 1.1 (`X-Amz-Target: Logs_20140328.<Op>`), SigV4 service `logs`."""

from __future__ import annotations

from server.services.logs.operations import OPERATIONS
from server.wire import ServiceDescriptor

DESCRIPTOR = ServiceDescriptor(
    name="logs",
    signing_name="logs",
    operations=OPERATIONS,
    json_target_prefix="Logs_20140328",
)
