"""STS operations: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken.

No IAM behind them: any well-formed role is assumable. Credentials from AssumeRole act as the role's account
in every service on this port (assume a role in account B, create a queue: it is B's).
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime
from typing import Any

from persistence.records import IssuedCredentials
from server.context import RequestContext
from server.errors import AwsError
from server.services.params import Params
from server.services.sts.service import StsService

Result = dict[str, Any]
_ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_ROLE_DURATION_S = (900, 43200, 3600)  # min, max, default
_SESSION_TOKEN_DURATION_S = (900, 129600, 43200)


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", f"1 validation error detected: {message}")


def _duration(params: Params, limits: tuple[int, int, int]) -> int:
    low, high, default = limits
    seconds = params.integer("DurationSeconds")
    if seconds is None:
        return default
    if not low <= seconds <= high:
        bound = "greater than or equal to" if seconds < low else "less than or equal to"
        limit = low if seconds < low else high
        raise validation_error(
            f"Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value "
            f"{bound} {limit}"
        )
    return seconds


def _required(params: Params, name: str, member: str) -> str:
    value = params.text(name)
    if value is None:
        raise validation_error(
            f"Value null at '{member}' failed to satisfy constraint: Member must not be null"
        )
    return value


def _credentials(issued: IssuedCredentials) -> Result:
    expiration = datetime.fromtimestamp(issued.expires_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "AccessKeyId": issued.access_key_id,
        "SecretAccessKey": issued.secret_access_key,
        "SessionToken": issued.session_token,
        "Expiration": expiration,
    }


async def get_caller_identity(sts: StsService, params: Params, ctx: RequestContext) -> Result:
    issued = sts.issued(ctx.access_key)
    if issued is not None:
        return {"UserId": issued.user_id, "Account": issued.account, "Arn": issued.arn}
    return {"UserId": ctx.account, "Account": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root"}


async def _assume(sts: StsService, params: Params) -> Result:
    role_arn = _required(params, "RoleArn", "roleArn")
    session = _required(params, "RoleSessionName", "roleSessionName")
    if not _SESSION_NAME.fullmatch(session):
        raise validation_error(
            f"Value '{session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy "
            r"regular expression pattern: [\w+=,.@-]*"
        )
    if len(role_arn) < 20:
        raise validation_error(
            f"Value '{role_arn}' at 'roleArn' failed to satisfy constraint: Member must have length greater "
            "than or equal to 20"
        )
    role = _ROLE_ARN.fullmatch(role_arn)
    if role is None:
        raise AwsError("ValidationError", f"{role_arn} is invalid")
    account, role_name = role.groups()
    duration_s = _duration(params, _ROLE_DURATION_S)
    role_id = "AROA" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(17))
    arn = f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}"
    issued = await sts.issue(account, arn, f"{role_id}:{session}", duration_s)
    return {
        "Credentials": _credentials(issued),
        "AssumedRoleUser": {"AssumedRoleId": issued.user_id, "Arn": arn},
        "PackedPolicySize": 6,
    }


async def assume_role(sts: StsService, params: Params, ctx: RequestContext) -> Result:
    return await _assume(sts, params)


async def assume_role_with_web_identity(sts: StsService, params: Params, ctx: RequestContext) -> Result:
    token = _required(params, "WebIdentityToken", "webIdentityToken")
    result = await _assume(sts, params)
    return {**result, "SubjectFromWebIdentityToken": token[:64], "Audience": "posthouse"}


async def get_session_token(sts: StsService, params: Params, ctx: RequestContext) -> Result:
    duration_s = _duration(params, _SESSION_TOKEN_DURATION_S)
    caller = sts.issued(ctx.access_key)
    if caller is not None:  # AWS refuses session tokens for session credentials
        raise AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", status=403)
    account = ctx.account
    issued = await sts.issue(account, f"arn:aws:iam::{account}:root", account, duration_s)
    return {"Credentials": _credentials(issued)}


OPERATIONS = {
    "GetCallerIdentity": get_caller_identity,
    "AssumeRole": assume_role,
    "AssumeRoleWithWebIdentity": assume_role_with_web_identity,
    "GetSessionToken": get_session_token,
}
