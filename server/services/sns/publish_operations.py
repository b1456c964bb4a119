"""Publish and PublishBatch: one handler per operation, params in, result dict out."""

from __future__ import annotations

import re
from typing import Any

from persistence.records import PlatformEndpointRecord, TopicRecord
from server import ids
from server.context import RequestContext
from server.errors import AwsError
from server.services.params import Params
from server.services.sns import publish_rules
from server.services.sns.errors import invalid_parameter
from server.services.sns.platforms import endpoint_view, platform_of
from server.services.sns.service import SnsService
from server.services.sns.topic_rules import maximum_message_size

Result = dict[str, Any]
MAX_BATCH = 10
_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]+")


Target = TopicRecord | PlatformEndpointRecord | str
"""A topic, a push endpoint, or a phone number."""


def _target(sns: SnsService, params: Params, ctx: RequestContext) -> Target:
    """What a Publish names: TopicArn, TargetArn (a topic, as AWS also allows, or a push endpoint), or a
    PhoneNumber."""
    targets = [name for name in ("TopicArn", "TargetArn", "PhoneNumber") if params.text(name)]
    if not targets:
        raise invalid_parameter("TopicArn or TargetArn Reason: no value for required parameter")
    if len(targets) > 1:
        raise invalid_parameter(
            f"{targets[1]} Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified"
        )
    if targets == ["PhoneNumber"]:
        number = params.required_text("PhoneNumber")
        publish_rules.check_phone_number(number)
        return number
    arn = params.required_text(targets[0])
    if targets == ["TargetArn"] and ":endpoint/" in arn:
        endpoint = sns.platforms.endpoint(arn)
        if endpoint is None:
            raise invalid_parameter("TargetArn Reason: No endpoint found for the target arn specified")
        if endpoint_view(endpoint)["Enabled"] != "true":
            raise AwsError("EndpointDisabled", "Endpoint is disabled", shape="EndpointDisabledException")
        return endpoint
    return sns.catalog.find(ctx, arn, targets[0])


async def publish(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    if params.text("Subject") == "":
        raise invalid_parameter("Subject")
    if not params.text("Message"):
        raise invalid_parameter("Empty message")
    target = _target(sns, params, ctx)
    if isinstance(target, TopicRecord):
        publication = publish_rules.publication(params, target)
        (published,) = await sns.fanout.publish(
            target, [publication], ctx.base_url, ctx.request_id, ctx.trace_header
        )
        return published.reply()
    now_ms = sns.clock.now_ms()
    if isinstance(target, PlatformEndpointRecord):
        platform = platform_of(target.arn)
        publication = publish_rules.publication(params, None, platform=platform)
        message = publication.message_for(platform)
        sns.recorded.record_message(target.arn, "application", target.arn, message, now_ms)
        return {"MessageId": ids.uuid4()}
    publication = publish_rules.publication(params, None)
    message_id = sns.recorded.record_sms(
        target, publication.message_for("sms"), publication.attributes, now_ms
    )
    return {"MessageId": message_id}


def _batch_error(code: str, message: str) -> AwsError:
    return AwsError(code, message, shape=f"{code}Exception")


def _check_entry_ids(entries: list[Params]) -> list[str]:
    ids = [entry.text("Id") or "" for entry in entries]
    for entry_id in ids:
        if len(entry_id) > 80:
            raise _batch_error(
                "InvalidBatchEntryId", f"The Id of a batch entry in a batch request is too long: {entry_id}"
            )
        if not _ENTRY_ID.fullmatch(entry_id):
            raise _batch_error(
                "InvalidBatchEntryId",
                f"The Id of a batch entry in a batch request contains an impermissible character: {entry_id}",
            )
    if len(set(ids)) != len(ids):
        raise _batch_error(
            "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id."
        )
    return ids


async def publish_batch(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    entries = params.entries("PublishBatchRequestEntries")
    if not entries:
        raise _batch_error("EmptyBatchRequest", "The batch request doesn't contain any entries.")
    if len(entries) > MAX_BATCH:
        raise _batch_error(
            "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible."
        )
    ids = _check_entry_ids(entries)
    publications = [  # one bad entry fails the whole request, as on AWS
        publish_rules.publication(entry, topic, f"publishBatchRequestEntries.{n}.member.messageAttributes")
        for n, entry in enumerate(entries, start=1)
    ]
    if sum(p.size for p in publications) > maximum_message_size(topic):
        raise _batch_error(
            "BatchRequestTooLong", "The length of all the messages put together is more than the limit."
        )
    published = await sns.fanout.publish(topic, publications, ctx.base_url, ctx.request_id, ctx.trace_header)
    successful = [{"Id": entry_id, **one.reply()} for entry_id, one in zip(ids, published, strict=True)]
    return {"Successful": successful, "Failed": []}


async def get_signing_certificate(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    """Not an AWS operation: the certificate at the SigningCertURL of this server's messages."""
    if params.text("CertificateId") != sns.signer.certificate_id:
        raise AwsError("NotFound", "No such certificate.", status=404)
    return {"Certificate": sns.signer.certificate, "ContentType": "application/x-pem-file"}
