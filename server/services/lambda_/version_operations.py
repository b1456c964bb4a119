"""Lambda's version and alias operations: PublishVersion, ListVersionsByFunction and the alias calls."""

from __future__ import annotations

from typing import Any

from server.context import RequestContext
from server.services.lambda_ import function_rules
from server.services.lambda_.service import LambdaService
from server.services.lambda_.versions import LATEST
from server.services.params import Params

Result = dict[str, Any]
PAGE = 50


def _page(items: list[Any], params: Params, marker_of: Any) -> tuple[list[Any], str | None]:
    marker = params.text("Marker")
    if marker:
        items = [item for item in items if marker_of(item) > marker]
    size = function_rules.page_size(params, PAGE)
    page = items[:size]
    return page, (marker_of(page[-1]) if len(items) > size else None)


async def publish_version(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    version = await service.functions.publish(
        latest, params.text("Description"), params.text("CodeSha256"), params.text("RevisionId")
    )
    return function_rules.view(version.arn, version.name, version.configuration)


async def list_versions_by_function(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    shown = [function_rules.view(f"{latest.arn}:{LATEST}", latest.name, latest.configuration)] + [
        function_rules.view(v.arn, v.name, v.configuration)
        for v in service.functions.versions.versions_of(latest)
    ]
    # Versions sort as numbers; `$LATEST` comes first, as on AWS.
    page, marker = _page(
        shown, params, lambda v: f"{0 if v['Version'] == LATEST else int(v['Version']):010d}"
    )
    return {"Versions": page} | ({"NextMarker": marker} if marker else {})


async def create_alias(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    return await service.functions.versions.create_alias(
        latest,
        params.raw.get("Name"),
        params.raw.get("FunctionVersion"),
        params.text("Description") or "",
        params.raw.get("RoutingConfig"),
    )


async def get_alias(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    return service.functions.versions.alias(latest, params.required_text("Name"))


async def update_alias(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    changes = {name: params.raw.get(name) for name in ("FunctionVersion", "Description", "RoutingConfig")}
    return await service.functions.versions.update_alias(
        latest, params.required_text("Name"), changes, params.text("RevisionId")
    )


async def delete_alias(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    name = params.required_text("Name")
    await service.functions.versions.delete_alias(latest, name)  # its version's warm workers stay
    return {}


async def list_aliases(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    aliases = service.functions.versions.aliases(latest)
    wanted = params.text("FunctionVersion")
    if wanted:
        aliases = [a for a in aliases if a["FunctionVersion"] == wanted]
    page, marker = _page(aliases, params, lambda a: a["Name"])
    return {"Aliases": page} | ({"NextMarker": marker} if marker else {})
