"""How the app adds IAM: the service, whose users' access keys act as their account everywhere."""

from __future__ import annotations

from server.runtime import Installed, Platform
from server.services.iam.descriptor import DESCRIPTOR
from server.services.iam.service import IamService


def install(platform: Platform) -> Installed:
    iam = IamService(platform.db, platform.clock)
    return Installed(DESCRIPTOR, iam, issued_accounts=iam.account_of)
