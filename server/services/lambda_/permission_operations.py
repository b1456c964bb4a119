"""A function's resource-based policy: AddPermission, RemovePermission and GetPolicy, as infrastructure code
(Terraform's aws_lambda_permission, CDK, SAM) calls them. The statements are kept with the function, per
qualifier, and shown as AWS lays them out; Posthouse does not check IAM, so they allow nothing by themselves."""

from __future__ import annotations

import re
from typing import Any

import orjson

from persistence.records import FunctionRecord
from server.context import RequestContext
from server.errors import AwsError
from server.services.lambda_.errors import conflict, validation
from server.services.lambda_.service import LambdaService
from server.services.params import Params

Result = dict[str, Any]
_STATEMENT_ID = re.compile(r"[a-zA-Z0-9-_.]{1,100}")
_ACTION = re.compile(r"lambda:[*]|lambda:[a-zA-Z]+|[*]")
_POLICIES = "Policies"
"""Where the statements live in `$LATEST`'s configuration: qualifier ("" for none) -> statements."""


def _not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, status=404)


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if principal.isdigit():
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def _statement(params: Params, resource: str) -> dict[str, Any]:
    sid = params.required_text("StatementId")
    if not _STATEMENT_ID.fullmatch(sid):
        raise validation(
            "statementId", sid, "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)"
        )
    action = params.required_text("Action")
    if not _ACTION.fullmatch(action):
        raise validation(
            "action",
            action,
            r"Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
        )
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": _principal(params.required_text("Principal")),
        "Action": action,
        "Resource": resource,
    }
    condition: dict[str, dict[str, str]] = {}
    if params.text("SourceAccount"):
        condition["StringEquals"] = {"AWS:SourceAccount": str(params.text("SourceAccount"))}
    if params.text("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = str(params.text("PrincipalOrgID"))
    if params.text("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": str(params.text("SourceArn"))}
    if condition:
        statement["Condition"] = condition
    return statement


def _target(service: LambdaService, params: Params, ctx: RequestContext) -> tuple[FunctionRecord, str, str]:
    """($LATEST, the qualifier the statements are kept under ("" for none), the ARN they are about)."""
    latest, qualifier = service.functions.settings_of(
        ctx, params.required_text("FunctionName"), params.text("Qualifier")
    )
    return latest, qualifier or "", f"{latest.arn}:{qualifier}" if qualifier else latest.arn


async def _save(
    service: LambdaService, latest: FunctionRecord, qualifier: str, statements: list[dict[str, Any]]
) -> None:
    policies = dict(latest.configuration.get(_POLICIES) or {})
    if statements:
        policies[qualifier] = statements
    else:
        policies.pop(qualifier, None)
    configuration = {k: v for k, v in latest.configuration.items() if k != _POLICIES}
    await service.functions.replace_configuration(
        latest, configuration | ({_POLICIES: policies} if policies else {})
    )


async def add_permission(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest, qualifier, resource = _target(service, params, ctx)
    statements = list((latest.configuration.get(_POLICIES) or {}).get(qualifier, []))
    statement = _statement(params, resource)
    if any(s["Sid"] == statement["Sid"] for s in statements):
        raise conflict(
            f"The statement id ({statement['Sid']}) provided already exists. Please provide a new statement id,"
            " or remove the existing statement."
        )
    await _save(service, latest, qualifier, [*statements, statement])
    return {"Statement": orjson.dumps(statement).decode()}


async def remove_permission(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest, qualifier, _ = _target(service, params, ctx)
    sid = params.required_text("StatementId")
    statements = list((latest.configuration.get(_POLICIES) or {}).get(qualifier, []))
    kept = [s for s in statements if s["Sid"] != sid]
    if len(kept) == len(statements):
        raise _not_found(f"Statement {sid} is not found in resource policy.")
    await _save(service, latest, qualifier, kept)
    return {}


async def get_policy(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest, qualifier, _ = _target(service, params, ctx)
    statements = (latest.configuration.get(_POLICIES) or {}).get(qualifier)
    if not statements:
        raise _not_found("The resource you requested does not exist.")
    policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    return {"Policy": orjson.dumps(policy).decode(), "RevisionId": latest.configuration["RevisionId"]}
