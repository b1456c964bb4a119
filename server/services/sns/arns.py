"""Reading topic ARNs the way SNS checks them: `arn:aws:sns:<region>:<account>:<name>`."""

from __future__ import annotations

from server.context import RequestContext
from server.services.sns.errors import invalid_parameter


def topic_arn(ctx: RequestContext, name: str) -> str:
    return f"arn:aws:sns:{ctx.region}:{ctx.account}:{name}"


def checked_topic_arn(
    ctx: RequestContext, arn: str, parameter: str = "TopicArn", *, any_region: bool = False
) -> str:
    """The ARN, if it is well formed and in the caller's region (or any, when asked); otherwise AWS's
    InvalidParameter."""
    parts = arn.split(":")
    if len(parts) < 6:
        raise invalid_parameter(f"{parameter} Reason: An ARN must have at least 6 elements, not {len(parts)}")
    if parts[:3] != ["arn", "aws", "sns"] or (parts[3] != ctx.region and not any_region) or not parts[5]:
        raise invalid_parameter(parameter)
    return arn
