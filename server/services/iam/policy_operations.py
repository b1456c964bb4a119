"""IAM's managed-policy operations: customer-managed policies with up to five versions, and AWS's own
(read-only, at `arn:aws:iam::aws:policy/...`)."""

from __future__ import annotations

from typing import Any

from server.context import RequestContext
from server.services.iam import rules
from server.services.iam.errors import (
    already_exists,
    delete_conflict,
    invalid_input,
    limit_exceeded,
    no_such_entity,
)
from server.services.iam.managed import managed_policies
from server.services.iam.service import Document, IamService, new_id
from server.services.params import Params

Result = dict[str, Any]
MAX_VERSIONS = 5
AWS_MANAGED = managed_policies()


def policy_view(policy: Document) -> Result:
    view = {
        key: policy[key]
        for key in ("PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "CreateDate", "UpdateDate")
    }
    view |= {"AttachmentCount": policy.get("AttachmentCount", 0), "PermissionsBoundaryUsageCount": 0}
    view["IsAttachable"] = True
    if policy.get("Description"):
        view["Description"] = policy["Description"]
    if policy.get("Tags"):
        view["Tags"] = policy["Tags"]
    return view


def _version_view(version: Document, with_document: bool = True) -> Result:
    view = {"VersionId": version["VersionId"], "IsDefaultVersion": version["IsDefaultVersion"]}
    view["CreateDate"] = version["CreateDate"]
    if with_document:
        view["Document"] = rules.encoded(version["Document"])
    return view


def _own_name(ctx: RequestContext, arn: str) -> str | None:
    """The name of a customer-managed policy of the caller's account its ARN names, or None."""
    prefix = f"arn:aws:iam::{ctx.account}:policy/"
    return arn.rsplit("/", 1)[1] if arn.startswith(prefix) else None


def find_policy(iam: IamService, ctx: RequestContext, arn: str) -> Document:
    name = _own_name(ctx, arn)
    found = AWS_MANAGED.get(arn) if name is None else iam.get(ctx.account, "policy", name)
    if found is None or found["Arn"] != arn:
        raise no_such_entity("policy", arn)
    return found


async def policy_saved(iam: IamService, ctx: RequestContext, policy: Document, attachments: int = 0) -> None:
    """A customer-managed policy's new state (AWS's own are counted nowhere: they are shared by everyone)."""
    if _own_name(ctx, policy["Arn"]) is None:
        return
    changed = dict(policy)
    changed["AttachmentCount"] = max(0, changed.get("AttachmentCount", 0) + attachments)
    await iam.save(ctx.account, "policy", changed)


async def create_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    name = rules.checked_name(params, "policyName")
    path = rules.checked_path(params)
    document = rules.checked_document(params.text("PolicyDocument"), "policyDocument")
    if iam.get(ctx.account, "policy", name) is not None:
        raise already_exists("policy", name)
    now = rules.iso_seconds(iam.clock.now_ms())
    policy = {
        "PolicyName": name,
        "PolicyId": new_id("ANPA"),
        "Arn": f"arn:aws:iam::{ctx.account}:policy{path}{name}",
        "Path": path,
        "DefaultVersionId": "v1",
        "Description": params.text("Description") or "",
        "CreateDate": now,
        "UpdateDate": now,
        "AttachmentCount": 0,
        "NextVersion": 2,
        "Versions": [{"VersionId": "v1", "Document": document, "IsDefaultVersion": True, "CreateDate": now}],
        "Tags": rules.checked_tags(params),
    }
    await iam.save(ctx.account, "policy", policy)
    return {"Policy": policy_view(policy)}


async def get_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    return {"Policy": policy_view(find_policy(iam, ctx, params.required_text("PolicyArn")))}


def _own(iam: IamService, params: Params, ctx: RequestContext) -> Document:
    policy = find_policy(iam, ctx, params.required_text("PolicyArn"))
    if _own_name(ctx, policy["Arn"]) is None:
        raise invalid_input("AWS-managed policies cannot be changed.")
    return dict(policy)


async def delete_policy(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    policy = _own(iam, params, ctx)
    if policy.get("AttachmentCount", 0):
        raise delete_conflict("Cannot delete a policy attached to entities.")
    await iam.delete(ctx.account, "policy", policy["PolicyName"])
    return {}


async def list_policies(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    scope = params.text("Scope") or "All"
    policies = []
    if scope in ("All", "AWS"):
        policies += list(AWS_MANAGED.values())
    if scope in ("All", "Local"):
        policies += iam.all(ctx.account, "policy")
    prefix = params.text("PathPrefix") or "/"
    policies = [p for p in policies if p["Path"].startswith(prefix)]
    if params.boolean("OnlyAttached"):
        attached = {arn for role in iam.all(ctx.account, "role") for arn in role["AttachedPolicies"]}
        policies = [p for p in policies if p["Arn"] in attached]
    policies.sort(key=lambda p: p["Arn"])
    result = rules.page(policies, params, lambda p: p["Arn"], "Policies")
    result["Policies"] = [policy_view(p) for p in result["Policies"]]
    return result


async def create_policy_version(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    policy = _own(iam, params, ctx)
    document = rules.checked_document(params.text("PolicyDocument"), "policyDocument")
    if len(policy["Versions"]) >= MAX_VERSIONS:
        raise limit_exceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an"
            " existing version."
        )
    now = rules.iso_seconds(iam.clock.now_ms())
    version_id = f"v{policy['NextVersion']}"
    default = bool(params.boolean("SetAsDefault"))
    versions = [dict(v, IsDefaultVersion=v["IsDefaultVersion"] and not default) for v in policy["Versions"]]
    version = {"VersionId": version_id, "Document": document, "IsDefaultVersion": default, "CreateDate": now}
    policy |= {"Versions": [*versions, version], "NextVersion": policy["NextVersion"] + 1, "UpdateDate": now}
    if default:
        policy["DefaultVersionId"] = version_id
    await iam.save(ctx.account, "policy", policy)
    return {"PolicyVersion": _version_view(version, with_document=False)}


def _version(policy: Document, version_id: str) -> Document:
    found: Document | None = next((v for v in policy["Versions"] if v["VersionId"] == version_id), None)
    if found is None:
        raise no_such_entity("version", f"{policy['Arn']} version {version_id}")
    return found


async def get_policy_version(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    policy = find_policy(iam, ctx, params.required_text("PolicyArn"))
    return {"PolicyVersion": _version_view(_version(policy, params.required_text("VersionId")))}


async def list_policy_versions(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    policy = find_policy(iam, ctx, params.required_text("PolicyArn"))
    versions = sorted(policy["Versions"], key=lambda v: int(v["VersionId"][1:]), reverse=True)
    result = rules.page(versions, params, lambda v: v["VersionId"], "Versions")
    result["Versions"] = [_version_view(v, with_document=False) for v in result["Versions"]]
    return result


async def delete_policy_version(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    policy = _own(iam, params, ctx)
    version = _version(policy, params.required_text("VersionId"))
    if version["IsDefaultVersion"]:
        raise delete_conflict("Cannot delete the default version of a policy.")
    policy["Versions"] = [v for v in policy["Versions"] if v is not version]
    await iam.save(ctx.account, "policy", policy)
    return {}


async def set_default_policy_version(iam: IamService, params: Params, ctx: RequestContext) -> Result:
    policy = _own(iam, params, ctx)
    chosen = _version(policy, params.required_text("VersionId"))["VersionId"]
    policy["Versions"] = [dict(v, IsDefaultVersion=v["VersionId"] == chosen) for v in policy["Versions"]]
    policy["DefaultVersionId"] = chosen
    await iam.save(ctx.account, "policy", policy)
    return {}


OPERATIONS = {
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "DeletePolicy": delete_policy,
    "ListPolicies": list_policies,
    "CreatePolicyVersion": create_policy_version,
    "GetPolicyVersion": get_policy_version,
    "ListPolicyVersions": list_policy_versions,
    "DeletePolicyVersion": delete_policy_version,
    "SetDefaultPolicyVersion": set_default_policy_version,
}
