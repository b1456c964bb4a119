"""How the app adds SNS: it fans out through SQS's enqueue and Lambda's Event invocations, so SQS and Lambda
are installed first."""

from __future__ import annotations

from server.runtime import Installed, Platform
from server.services.lambda_.event_invocations import EventInvocations
from server.services.sns.descriptor import DESCRIPTOR
from server.services.sns.service import SnsService
from server.services.sqs.enqueue import Enqueue


def install(platform: Platform) -> Installed:
    key_directory = None if platform.config.in_memory else platform.config.data_dir
    sns = SnsService(
        platform.db,
        platform.clock,
        platform.needs(Enqueue),
        platform.needs(EventInvocations),
        key_directory,
        platform.config.sign_sns_messages,
    )
    return Installed(DESCRIPTOR, sns, workers={"sns-http-deliveries": sns.http.run})
