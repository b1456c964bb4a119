"""Lambda's event-source mapping operations (SQS sources): one handler per operation, params in, result out."""

from __future__ import annotations

from typing import Any

from persistence.records import FunctionRecord
from server.context import RequestContext
from server.errors import AwsError
from server.services.lambda_ import function_rules, mapping_rules
from server.services.lambda_.errors import invalid_value
from server.services.lambda_.service import LambdaService
from server.services.params import Params

Result = dict[str, Any]
PAGE = 100


def _wanted(params: Params) -> dict[str, Any]:
    names = (*mapping_rules.SETTABLE, *mapping_rules.STREAM_ONLY, "DestinationConfig")
    return {name: params.raw[name] for name in names if name in params.raw}


def _function(service: LambdaService, params: Params, ctx: RequestContext) -> FunctionRecord:
    name = params.text("FunctionName")
    try:
        return service.functions.find(ctx, name or "")
    except AwsError:  # an unknown or malformed name: AWS answers 400 here, not 404
        raise invalid_value("Function does not exist") from None


async def create_event_source_mapping(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    source_arn = params.text("EventSourceArn")
    if not source_arn:
        raise invalid_value("Unrecognized event source.")
    wanted = _wanted(params)
    mapping_rules.checked(mapping_rules.DEFAULTS | wanted, None, 0)  # AWS checks these before the function
    function = _function(service, params, ctx)
    mapping = await service.mappings.create(ctx, source_arn, function, wanted)
    return mapping_rules.view(mapping, "Creating")


async def get_event_source_mapping(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    return mapping_rules.view(service.mappings.find(params.required_text("UUID")))


async def update_event_source_mapping(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    mapping = service.mappings.find(params.required_text("UUID"))
    # A mapping whose function was deleted can still be changed (disabled, say), as on AWS.
    function = (
        _function(service, params, ctx)
        if params.has("FunctionName")
        else service.functions.get(mapping.function_arn)
    )
    wanted = _wanted(params)
    was_enabled = mapping.configuration.get("Enabled", True)
    updated = await service.mappings.update(mapping, function, wanted)
    enabled = updated.configuration.get("Enabled", True)
    state = "Updating" if enabled == was_enabled else ("Enabling" if enabled else "Disabling")
    return mapping_rules.view(updated, state)


async def delete_event_source_mapping(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    mapping = service.mappings.find(params.required_text("UUID"))
    await service.mappings.delete(mapping)
    return mapping_rules.view(mapping, "Deleting")


async def list_event_source_mappings(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    mappings = service.mappings.in_scope(ctx)
    source = params.text("EventSourceArn")
    if source:
        mappings = [m for m in mappings if m.source_arn == source]
    name = params.text("FunctionName")
    if name:
        try:
            function = service.functions.find(ctx, name)
        except AwsError:  # AWS does not check the filters: an unknown function lists nothing
            return {"EventSourceMappings": []}
        mappings = [m for m in mappings if m.function_arn == function.arn]
    marker = params.text("Marker")
    if marker:
        mappings = [m for m in mappings if m.uuid > marker]
    size = min(PAGE, function_rules.page_size(params, PAGE))  # AWS answers at most 100 a page
    page = mappings[:size]
    result: Result = {"EventSourceMappings": [mapping_rules.view(m) for m in page]}
    if len(mappings) > size:
        result["NextMarker"] = page[-1].uuid
    return result
