"""How the app adds CloudWatch Logs: the service, the worker that stores what other services append, and the
appending offered to them (Lambda writes each invocation's output)."""

from __future__ import annotations

from server.runtime import Installed, Platform
from server.services.log_writing import LogWriting
from server.services.logs.descriptor import DESCRIPTOR
from server.services.logs.service import LogsService


def install(platform: Platform) -> Installed:
    logs = LogsService(platform.db, platform.clock, platform.config.logs_max_group_mb * 1024 * 1024)
    platform.offer(LogWriting, logs)
    return Installed(DESCRIPTOR, logs, workers={"logs-writer": logs.run})
