"""IAM's user operations, as test fixtures use them: users and their access keys (a key created here acts as
the user's account in every service, as an STS-issued one does)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from server.context import RequestContext
from server.services.iam import rules
from server.services.iam.errors import already_exists, delete_conflict, limit_exceeded, no_such_entity
from server.services.iam.service import Document, IamService, new_id
from server.services.params import Params

Result = dict[str, Any]
MAX_KEYS = 2
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def user_view(user: Document) -> Result:
    view = {key: user[key] for key in ("Path", "UserName", "UserId", "Arn", "CreateDate")}
    if user.get("Tags"):
        view["Tags"] = user["Tags"]
    return view


async def create_user(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    name = rules.checked_name(params, "userName")
    path = rules.checked_path(params)
    if iam.get(ctx.account, "user", name) is not None:
        raise already_exists("user", name)
    user = {
        "UserName": name,
        "UserId": new_id("AIDA"),
        "Arn": f"arn:aws:iam::{ctx.account}:user{path}{name}",
        "Path": path,
        "CreateDate": rules.iso_seconds(iam.clock.now_ms()),
        "Tags": rules.checked_tags(params),
        "AccessKeys": [],
    }
    await iam.save(ctx.account, "user", user)
    return {"User": user_view(user)}


def _caller(iam: IamService, ctx: RequestContext) -> Result:
    """GetUser without a name: the user whose key signed the request, else the account's root."""
    for user in iam.all(ctx.account, "user"):
        if any(key["AccessKeyId"] == ctx.access_key for key in user["AccessKeys"]):
            return user_view(user)
    created = "2020-01-01T00:00:00Z"
    return {
        "Path": "/",
        "UserId": ctx.account,
        "Arn": f"arn:aws:iam::{ctx.account}:root",
        "CreateDate": created,
    }


async def get_user(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    name = params.text("UserName")
    return {"User": _caller(iam, ctx) if not name else user_view(iam.find(ctx.account, "user", name))}


async def list_users(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    prefix = params.text("PathPrefix") or "/"
    users = [u for u in iam.all(ctx.account, "user") if u["Path"].startswith(prefix)]
    result = rules.page(users, params, lambda u: u["UserName"], "Users")
    result["Users"] = [user_view(u) for u in result["Users"]]
    return result


async def delete_user(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    user = iam.find(ctx.account, "user", params.required_text("UserName"))
    if user["AccessKeys"]:
        raise delete_conflict("Cannot delete entity, must delete access keys first.")
    await iam.delete(ctx.account, "user", user["UserName"])
    return {}


def _key_view(user: Document, key: Document) -> Result:
    return {"UserName": user["UserName"], "AccessKeyId": key["AccessKeyId"], "Status": key["Status"]} | {
        "CreateDate": key["CreateDate"]
    }


async def create_access_key(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    user = dict(iam.find(ctx.account, "user", params.required_text("UserName")))
    if len(user["AccessKeys"]) >= MAX_KEYS:
        raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS}")
    key = {
        "AccessKeyId": new_id("AKIA", 16),
        "SecretAccessKey": "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40)),
        "Status": "Active",
        "CreateDate": rules.iso_seconds(iam.clock.now_ms()),
    }
    user["AccessKeys"] = [*user["AccessKeys"], key]
    await iam.save(ctx.account, "user", user)
    return {"AccessKey": _key_view(user, key) | {"SecretAccessKey": key["SecretAccessKey"]}}


async def list_access_keys(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    user = iam.find(ctx.account, "user", params.required_text("UserName"))
    keys = [_key_view(user, key) for key in user["AccessKeys"]]
    return rules.page(keys, params, lambda k: k["AccessKeyId"], "AccessKeyMetadata")


async def delete_access_key(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    user = dict(iam.find(ctx.account, "user", params.required_text("UserName")))
    key_id = params.required_text("AccessKeyId")
    if not any(key["AccessKeyId"] == key_id for key in user["AccessKeys"]):
        raise no_such_entity("access key", key_id)
    user["AccessKeys"] = [key for key in user["AccessKeys"] if key["AccessKeyId"] != key_id]
    await iam.save(ctx.account, "user", user)
    return {}


OPERATIONS = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "ListUsers": list_users,
    "DeleteUser": delete_user,
    "CreateAccessKey": create_access_key,
    "ListAccessKeys": list_access_keys,
    "DeleteAccessKey": delete_access_key,
}
