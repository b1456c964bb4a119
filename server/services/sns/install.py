"""How the app adds SNS: it fans out through SQS's enqueue and Lambda's Event invocations, so SQS and Lambda
are installed first."""

from __future__ import annotations

from server.config import own_url
from server.runtime import Installed, Platform
from server.services.lambda_.event_invocations import EventInvocations
from server.services.sns.descriptor import DESCRIPTOR
from server.services.sns.publisher import TopicPublisher
from server.services.sns.service import SnsService
from server.services.sqs.enqueue import Enqueue
from server.services.topic_publishing import TopicPublishing


def install(platform: Platform) -> Installed:
    key_directory = None if platform.config.in_memory else platform.config.data_dir
    sns = SnsService(
        platform.db,
        platform.clock,
        platform.needs(Enqueue),
        platform.needs(EventInvocations),
        key_directory,
        platform.config.sign_sns_messages,
        platform.config.tls_port,
    )
    platform.offer(TopicPublishing, TopicPublisher(sns.catalog, sns.fanout, own_url(platform.config)))
    return Installed(DESCRIPTOR, sns, workers={"sns-http-deliveries": sns.http.run})
