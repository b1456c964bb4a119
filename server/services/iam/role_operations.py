"""IAM's role operations: roles, their trust policies, tags, attached (managed) and inline policies."""

from __future__ import annotations

from typing import Any

from server.context import RequestContext
from server.services.iam import rules
from server.services.iam.errors import already_exists, delete_conflict, no_such_entity, validation
from server.services.iam.policy_operations import find_policy, policy_saved
from server.services.iam.service import Document, IamService, new_id
from server.services.params import Params

Result = dict[str, Any]


def role_view(role: Document, with_tags: bool = True) -> Result:
    view = {
        "Path": role["Path"],
        "RoleName": role["RoleName"],
        "RoleId": role["RoleId"],
        "Arn": role["Arn"],
        "CreateDate": role["CreateDate"],
        "AssumeRolePolicyDocument": rules.encoded(role["AssumeRolePolicyDocument"]),
        "MaxSessionDuration": role["MaxSessionDuration"],
        "RoleLastUsed": {},
    }
    if role.get("Description"):
        view["Description"] = role["Description"]
    if with_tags and role.get("Tags"):
        view["Tags"] = role["Tags"]
    return view


def _session_duration(params: Params, default: int) -> int:
    duration = params.integer("MaxSessionDuration")
    if duration is None:
        return default
    if not 3600 <= duration <= 43200:
        raise validation(
            "maxSessionDuration", str(duration), "Member must have value less than or equal to 43200"
        )
    return duration


async def create_role(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    name = rules.checked_name(params, "roleName")
    path = rules.checked_path(params)
    trust = rules.checked_document(params.text("AssumeRolePolicyDocument"), "assumeRolePolicyDocument")
    if iam.get(ctx.account, "role", name) is not None:
        raise already_exists("role", name)
    role = {
        "RoleName": name,
        "RoleId": new_id("AROA"),
        "Arn": f"arn:aws:iam::{ctx.account}:role{path}{name}",
        "Path": path,
        "CreateDate": rules.iso_seconds(iam.clock.now_ms()),
        "AssumeRolePolicyDocument": trust,
        "Description": params.text("Description") or "",
        "MaxSessionDuration": _session_duration(params, 3600),
        "Tags": rules.checked_tags(params),
        "AttachedPolicies": [],
        "InlinePolicies": {},
    }
    await iam.save(ctx.account, "role", role)
    return {"Role": role_view(role)}


def _role(iam: IamService, params: Params, ctx: RequestContext) -> Document:
    return iam.find(ctx.account, "role", params.required_text("RoleName"))


async def get_role(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    return {"Role": role_view(_role(iam, params, ctx))}


async def list_roles(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    prefix = params.text("PathPrefix") or "/"
    roles = [r for r in iam.all(ctx.account, "role") if r["Path"].startswith(prefix)]
    result = rules.page(roles, params, lambda r: r["RoleName"], "Roles")
    result["Roles"] = [role_view(r, with_tags=False) for r in result["Roles"]]
    return result


async def delete_role(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = _role(iam, params, ctx)
    if role["AttachedPolicies"]:
        raise delete_conflict("Cannot delete entity, must detach all policies first.")
    if role["InlinePolicies"]:
        raise delete_conflict("Cannot delete entity, must delete policies first.")
    await iam.delete(ctx.account, "role", role["RoleName"])
    return {}


async def update_role(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    if params.has("Description"):
        role["Description"] = params.text("Description") or ""
    role["MaxSessionDuration"] = _session_duration(params, role["MaxSessionDuration"])
    await iam.save(ctx.account, "role", role)
    return {}


async def update_assume_role_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    role["AssumeRolePolicyDocument"] = rules.checked_document(params.text("PolicyDocument"), "policyDocument")
    await iam.save(ctx.account, "role", role)
    return {}


async def tag_role(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    role["Tags"] = rules.merged_tags(role["Tags"], rules.checked_tags(params))
    await iam.save(ctx.account, "role", role)
    return {}


async def untag_role(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    removed = set(params.text_list("TagKeys"))
    role["Tags"] = [tag for tag in role["Tags"] if tag["Key"] not in removed]
    await iam.save(ctx.account, "role", role)
    return {}


async def list_role_tags(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    return rules.page(_role(iam, params, ctx)["Tags"], params, lambda t: t["Key"], "Tags")


async def attach_role_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    policy = find_policy(iam, ctx, params.required_text("PolicyArn"))
    if policy["Arn"] not in role["AttachedPolicies"]:
        role["AttachedPolicies"] = [*role["AttachedPolicies"], policy["Arn"]]
        await iam.save(ctx.account, "role", role)
        await policy_saved(iam, ctx, policy, attachments=+1)
    return {}


async def detach_role_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    arn = params.required_text("PolicyArn")
    if arn not in role["AttachedPolicies"]:
        raise no_such_entity("attached", arn)
    role["AttachedPolicies"] = [a for a in role["AttachedPolicies"] if a != arn]
    await iam.save(ctx.account, "role", role)
    await policy_saved(iam, ctx, find_policy(iam, ctx, arn), attachments=-1)
    return {}


async def list_attached_role_policies(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    prefix = params.text("PathPrefix") or "/"
    attached = [find_policy(iam, ctx, arn) for arn in _role(iam, params, ctx)["AttachedPolicies"]]
    shown = [
        {"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]}
        for p in attached
        if p["Path"].startswith(prefix)
    ]
    return rules.page(shown, params, lambda p: p["PolicyArn"], "AttachedPolicies")


async def put_role_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    name = rules.checked_name(params, "policyName")
    document = rules.checked_document(params.text("PolicyDocument"), "policyDocument")
    role["InlinePolicies"] = role["InlinePolicies"] | {name: document}
    await iam.save(ctx.account, "role", role)
    return {}


async def get_role_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = _role(iam, params, ctx)
    name = params.required_text("PolicyName")
    if name not in role["InlinePolicies"]:
        raise no_such_entity("inline", f"{name}")
    document = role["InlinePolicies"][name]
    return {"RoleName": role["RoleName"], "PolicyName": name, "PolicyDocument": rules.encoded(document)}


async def delete_role_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    role = dict(_role(iam, params, ctx))
    name = params.required_text("PolicyName")
    if name not in role["InlinePolicies"]:
        raise no_such_entity("inline", name)
    role["InlinePolicies"] = {k: v for k, v in role["InlinePolicies"].items() if k != name}
    await iam.save(ctx.account, "role", role)
    return {}


async def list_role_policies(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    names = sorted(_role(iam, params, ctx)["InlinePolicies"])
    return rules.page(names, params, lambda n: n, "PolicyNames")


OPERATIONS = {
    "CreateRole": create_role,
    "GetRole": get_role,
    "ListRoles": list_roles,
    "DeleteRole": delete_role,
    "UpdateRole": update_role,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "TagRole": tag_role,
    "UntagRole": untag_role,
    "ListRoleTags": list_role_tags,
    "AttachRolePolicy": attach_role_policy,
    "DetachRolePolicy": detach_role_policy,
    "ListAttachedRolePolicies": list_attached_role_policies,
    "PutRolePolicy": put_role_policy,
    "GetRolePolicy": get_role_policy,
    "DeleteRolePolicy": delete_role_policy,
    "ListRolePolicies": list_role_policies,
}
