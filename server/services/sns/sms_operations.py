"""SMS settings: account SMS attributes, opted-out numbers and the SMS sandbox, kept per account and region
(nothing is sent; a sandbox number's one-time password is recorded as an SMS, where the admin routes show it)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from persistence import sns_settings
from server.context import RequestContext
from server.errors import AwsError, missing_parameter
from server.services.params import Params
from server.services.sns.errors import invalid_parameter, resource_not_found
from server.services.sns.service import SnsService

Result = dict[str, Any]
SMS_ATTRIBUTES = {
    "DefaultSenderID",
    "DefaultSMSType",
    "DeliveryStatusIAMRole",
    "DeliveryStatusSuccessSamplingRate",
    "MonthlySpendLimit",
    "UsageReportS3Bucket",
}
DEFAULTS = {"DefaultSMSType": "Promotional", "MonthlySpendLimit": "1"}
_PHONE = re.compile(r"\+?[0-9]{6,15}")
PAGE = 100


def _scope(ctx: RequestContext, kind: str) -> sns_settings.Scope:
    return ctx.account, ctx.region, kind


def _phone(params: Params, name: str) -> str:
    number = params.text(name)
    if number is None:
        raise missing_parameter(name)
    if not _PHONE.fullmatch(number):
        raise invalid_parameter(name)
    return number


async def set_sms_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    attributes = params.text_map("attributes", echoed=True)
    for name, value in attributes.items():
        if name not in SMS_ATTRIBUTES:
            raise invalid_parameter(f"{name} is not a valid attribute")
        if name == "DefaultSMSType" and value not in ("Promotional", "Transactional"):
            raise invalid_parameter(f"DefaultSMSType Reason: {value} is not Promotional or Transactional")
        if name in ("MonthlySpendLimit", "DeliveryStatusSuccessSamplingRate") and not value.isdigit():
            raise invalid_parameter(f"{name} Reason: must be a whole number")
    await sns.db.run(lambda conn: sns_settings.put(conn, _scope(ctx, "sms"), attributes))
    return {}


async def get_sms_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    stored = DEFAULTS | await sns.db.read(lambda conn: sns_settings.load(conn, _scope(ctx, "sms")))
    wanted = params.text_list("attributes")
    return {"attributes": {k: v for k, v in stored.items() if not wanted or k in wanted}}


async def check_if_phone_number_is_opted_out(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    number = _phone(params, "phoneNumber")
    opted_out = await sns.db.read(lambda conn: sns_settings.load(conn, _scope(ctx, "opted-out")))
    return {"isOptedOut": number in opted_out}


async def list_phone_numbers_opted_out(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    numbers = sorted(await sns.db.read(lambda conn: sns_settings.load(conn, _scope(ctx, "opted-out"))))
    after = params.text("nextToken") or ""
    page = [n for n in numbers if n > after][:PAGE]
    more = len(page) == PAGE and page[-1] != numbers[-1]
    return {"phoneNumbers": page} | ({"nextToken": page[-1]} if more else {})


async def opt_in_phone_number(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    number = _phone(params, "phoneNumber")
    await sns.db.run(lambda conn: sns_settings.delete(conn, _scope(ctx, "opted-out"), number))
    return {}


async def get_sms_sandbox_account_status(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    return {"IsInSandbox": False}  # Posthouse sends no SMS, so it holds no account back


def _sandbox(ctx: RequestContext) -> sns_settings.Scope:
    return _scope(ctx, "sandbox")


async def create_sms_sandbox_phone_number(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    number = _phone(params, "PhoneNumber")
    password = f"{secrets.randbelow(10**6):06d}"
    await sns.db.run(lambda conn: sns_settings.put(conn, _sandbox(ctx), {number: f"Pending:{password}"}))
    sns.recorded.record_sms(number, f"Your verification code is {password}", {}, sns.clock.now_ms())
    return {}


async def verify_sms_sandbox_phone_number(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    number = _phone(params, "PhoneNumber")
    password = params.required_text("OneTimePassword")
    stored = (await sns.db.read(lambda conn: sns_settings.load(conn, _sandbox(ctx)))).get(number)
    if stored is None:
        raise resource_not_found()
    status, _, expected = stored.partition(":")
    if status == "Pending":
        if password != expected:
            raise AwsError("VerificationException", "Invalid one-time password")
        await sns.db.run(lambda conn: sns_settings.put(conn, _sandbox(ctx), {number: "Verified"}))
    return {}


async def delete_sms_sandbox_phone_number(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    number = _phone(params, "PhoneNumber")
    if number not in await sns.db.read(lambda conn: sns_settings.load(conn, _sandbox(ctx))):
        raise resource_not_found()
    await sns.db.run(lambda conn: sns_settings.delete(conn, _sandbox(ctx), number))
    return {}


async def list_sms_sandbox_phone_numbers(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    stored = await sns.db.read(lambda conn: sns_settings.load(conn, _sandbox(ctx)))
    return {"PhoneNumbers": [{"PhoneNumber": n, "Status": v.partition(":")[0]} for n, v in stored.items()]}


async def list_origination_numbers(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    return {"PhoneNumbers": []}
