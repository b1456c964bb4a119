"""Mobile push operations (platform applications and endpoints): one handler per operation, params in,
result dict out."""

from __future__ import annotations

from typing import Any

from persistence.records import PlatformEndpointRecord
from server.context import RequestContext
from server.errors import missing_parameter
from server.services.params import Params
from server.services.sns.errors import invalid_parameter
from server.services.sns.pages import page
from server.services.sns.platforms import application_view, endpoint_view, not_found
from server.services.sns.service import SnsService

Result = dict[str, Any]
_ENDPOINT_ATTRIBUTES = {"CustomUserData", "Enabled", "Token"}


def _endpoint_attributes(attributes: dict[str, str]) -> dict[str, str]:
    for name, value in attributes.items():
        if name not in _ENDPOINT_ATTRIBUTES:
            raise invalid_parameter(f"Attributes Reason: Invalid attribute name: {name}")
        if name == "Enabled" and value.lower() not in ("true", "false"):
            raise invalid_parameter("Attributes Reason: Enabled must be true or false")
    return {k: v.lower() if k == "Enabled" else v for k, v in attributes.items()}


async def create_platform_application(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    name = params.text("Name", echoed=True)
    platform = params.text("Platform")
    if name is None:
        raise missing_parameter("Name")
    if platform is None:
        raise missing_parameter("Platform")
    application = await sns.platforms.create_application(
        ctx, name, platform, params.text_map("Attributes", echoed=True)
    )
    return {"PlatformApplicationArn": application.arn}


async def get_platform_application_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    application = sns.platforms.application(params.required_text("PlatformApplicationArn"))
    return {"Attributes": application_view(application)}


async def set_platform_application_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    application = sns.platforms.application(params.required_text("PlatformApplicationArn"))
    await sns.platforms.set_application_attributes(application, params.text_map("Attributes", echoed=True))
    return {}


async def delete_platform_application(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    await sns.platforms.delete_application(params.required_text("PlatformApplicationArn"))
    return {}


async def list_platform_applications(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    shown, token = page(sns.platforms.applications(ctx), lambda a: a.arn, params.text("NextToken"))
    listed = [{"PlatformApplicationArn": a.arn, "Attributes": application_view(a)} for a in shown]
    return {"PlatformApplications": listed} | ({"NextToken": token} if token else {})


async def create_platform_endpoint(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    application = sns.platforms.application(params.required_text("PlatformApplicationArn"))
    token = params.text("Token", echoed=True)
    if not token:
        raise invalid_parameter("Token")
    attributes = _endpoint_attributes(params.text_map("Attributes", echoed=True))
    if params.has("CustomUserData"):
        attributes["CustomUserData"] = params.text("CustomUserData", echoed=True) or ""
    endpoint = await sns.platforms.create_endpoint(application, token, attributes)
    return {"EndpointArn": endpoint.arn}


def _endpoint(sns: SnsService, params: Params) -> PlatformEndpointRecord:
    endpoint = sns.platforms.endpoint(params.required_text("EndpointArn"))
    if endpoint is None:
        raise not_found("Endpoint")
    return endpoint


async def get_endpoint_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    return {"Attributes": endpoint_view(_endpoint(sns, params))}


async def set_endpoint_attributes(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    endpoint = _endpoint(sns, params)
    await sns.platforms.set_endpoint_attributes(
        endpoint, _endpoint_attributes(params.text_map("Attributes", echoed=True))
    )
    return {}


async def delete_endpoint(sns: SnsService, params: Params, ctx: RequestContext) -> Result:
    await sns.platforms.delete_endpoint(params.required_text("EndpointArn"))  # a missing one: 200, as on AWS
    return {}


async def list_endpoints_by_platform_application(
    sns: SnsService, params: Params, ctx: RequestContext
) -> Result:
    application = sns.platforms.application(params.required_text("PlatformApplicationArn"))
    shown, token = page(sns.platforms.endpoints_of(application), lambda e: e.arn, params.text("NextToken"))
    listed = [{"EndpointArn": e.arn, "Attributes": endpoint_view(e)} for e in shown]
    return {"Endpoints": listed} | ({"NextToken": token} if token else {})
