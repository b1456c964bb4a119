"""AddPermission and RemovePermission (statements of the topic's Policy), and the topic's data-protection
policy (kept, not enforced): one handler per operation, params in, result dict out."""

from __future__ import annotations

from typing import Any

import orjson

from server.context import RequestContext
from server.errors import missing_parameter
from server.services.params import Params
from server.services.sns import topic_rules
from server.services.sns.errors import invalid_parameter
from server.services.sns.service import SnsService

Result = dict[str, Any]


def _policy(policy_text: str) -> dict[str, Any]:
    """The topic's Policy with a list of statement objects (what a value stored before Policy was checked on
    input holds otherwise is left out, so that it always reads back)."""
    policy = topic_rules.json_object(policy_text) or {}
    statements = policy.get("Statement")
    policy["Statement"] = (
        [s for s in statements if isinstance(s, dict)] if isinstance(statements, list) else []
    )
    return policy


async def add_permission(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    label = params.required_text("Label", echoed=True)
    accounts = params.text_list("AWSAccountId", echoed=True)
    actions = params.text_list("ActionName", echoed=True)
    if not accounts:
        raise missing_parameter("AWSAccountId")
    if not actions:
        raise missing_parameter("ActionName")
    policy = _policy(topic.attributes.get("Policy") or topic_rules.default_policy(topic))
    if any(statement.get("Sid") == label for statement in policy["Statement"]):
        raise invalid_parameter("Statement already exists")
    principals = [f"arn:aws:iam::{account}:root" for account in accounts]
    policy["Statement"].append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": [f"SNS:{action}" for action in actions] if len(actions) > 1 else f"SNS:{actions[0]}",
            "Resource": topic.arn,
        }
    )
    await sns.catalog.set_attribute(topic, "Policy", orjson.dumps(policy).decode())
    return {}


async def remove_permission(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("TopicArn"))
    label = params.required_text("Label")
    policy = _policy(topic.attributes.get("Policy") or topic_rules.default_policy(topic))
    kept = [statement for statement in policy["Statement"] if statement.get("Sid") != label]
    if len(kept) != len(policy["Statement"]):
        policy["Statement"] = kept
        await sns.catalog.set_attribute(topic, "Policy", orjson.dumps(policy).decode())
    return {}


async def get_data_protection_policy(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("ResourceArn"), "ResourceArn")
    return {"DataProtectionPolicy": topic.attributes.get("DataProtectionPolicy", "")}


async def put_data_protection_policy(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    topic = sns.catalog.find(ctx, params.required_text("ResourceArn"), "ResourceArn")
    document = params.required_text("DataProtectionPolicy", echoed=True)
    if topic_rules.json_object(document) is None:
        raise invalid_parameter("DataProtectionPolicy: failed to parse JSON.")
    await sns.catalog.set_attribute(topic, "DataProtectionPolicy", document)
    return {}
