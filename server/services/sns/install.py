"""How the app adds SNS."""

from __future__ import annotations

from server.runtime import Installed, Platform
from server.services.sns.descriptor import DESCRIPTOR
from server.services.sns.service import SnsService


def install(platform: Platform) -> Installed:
    return Installed(DESCRIPTOR, SnsService(platform.db, platform.clock))
