"""How the app adds STS: the service, whose issued credentials act as their account everywhere."""

from __future__ import annotations

from server.runtime import Installed, Platform
from server.services.sts.descriptor import DESCRIPTOR
from server.services.sts.service import StsService


def install(platform: Platform) -> Installed:
    sts = StsService(platform.db, platform.clock)
    return Installed(DESCRIPTOR, sts, issued_accounts=sts.account_of)
