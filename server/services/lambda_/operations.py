"""Lambda's function operations: one handler per operation, params in, result dict out."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from typing import Any

import orjson

from persistence.records import FunctionRecord
from server.context import RequestContext
from server.errors import AwsError
from server.services.lambda_ import function_rules
from server.services.lambda_ import invoke_config_operations as invoke_configs
from server.services.lambda_ import mapping_operations as mappings
from server.services.lambda_ import permission_operations as permissions
from server.services.lambda_ import settings_operations as settings
from server.services.lambda_ import version_operations as versions
from server.services.lambda_.errors import invalid_value, request_too_large, throttled
from server.services.lambda_.invoker import Throttled
from server.services.lambda_.log_lines import invocation_log
from server.services.lambda_.service import LambdaService
from server.services.lambda_.versions import version_number
from server.services.params import Params
from server.wire import Operation

Result = dict[str, Any]
PAGE = 50
LOG_TAIL = 4096
EVENT_PAYLOAD_BYTES = 1_048_576
"""AWS's limit on an asynchronous (Event) invocation's payload."""
_CONFIGURABLE = (
    "Role",
    "Handler",
    "Runtime",
    "Timeout",
    "MemorySize",
    "Description",
    "Environment",
    "DeadLetterConfig",
)


def _configuration(params: Params, creating: bool) -> dict[str, Any]:
    wanted = {name: params.raw[name] for name in _CONFIGURABLE if params.raw.get(name) is not None}
    if creating or "Role" in wanted:
        function_rules.check_role(wanted.get("Role"))
    if creating or "Runtime" in wanted:
        function_rules.check_runtime(wanted.get("Runtime"))
    if creating and not wanted.get("Handler"):
        raise invalid_value("Handler is required for a function of package type Zip.")
    function_rules.check_limits(wanted)
    function_rules.check_dead_letter(wanted)
    environment = wanted.get("Environment")
    if environment is not None:
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
            raise invalid_value("Environment variables must be a map of strings.")
        function_rules.check_variables(variables)
        wanted["Environment"] = {"Variables": variables}
    return wanted


def _shown(function: FunctionRecord) -> Result:
    return function_rules.view(function.arn, function.name, function.configuration)


async def create_function(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    name = function_rules.check_name(params.raw.get("FunctionName"))
    configuration = _configuration(params, creating=True)
    code = await asyncio.to_thread(function_rules.zip_of, params.raw.get("Code"))
    function = await service.functions.create(ctx, name, configuration, params.text_map("Tags"), code)
    if params.raw.get("Publish") is True:
        function = await service.functions.publish(function, None, None, None)
    return _shown(function) | {
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
    }


def _qualified(service: LambdaService, params: Params, ctx: RequestContext) -> FunctionRecord:
    return service.functions.find(ctx, params.required_text("FunctionName"), params.text("Qualifier"))


def _latest(
    service: LambdaService, params: Params, ctx: RequestContext, member: str = "FunctionName"
) -> FunctionRecord:
    return service.functions.latest(ctx, params.required_text(member))


async def get_function(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    function = _qualified(service, params, ctx)
    location = f"{ctx.base_url}/admin/lambda/functions/{function.name}/code"
    version = str(function.configuration.get("Version", "$LATEST"))
    if version != "$LATEST":
        location += f"?qualifier={version}"
    shown: Result = {
        "Configuration": _shown(function),
        "Code": {"RepositoryType": "S3", "Location": location},
        "Tags": function.tags,
    }
    reserved = service.invoker.reserved(function)
    if reserved is not None:
        shown["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
    return shown


async def get_function_configuration(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    return _shown(_qualified(service, params, ctx))


def _listing_key(function: FunctionRecord) -> tuple[str, int]:
    """Where a function (or, with FunctionVersion=ALL, one of its versions) sorts: by name, `$LATEST` first."""
    version = str(function.configuration.get("Version", "$LATEST"))
    return function.name, 0 if version == "$LATEST" else int(version)


def _after(marker: str) -> tuple[str, int]:
    """A NextMarker (`name:version`) back as a listing key; a bare name resumes after that function."""
    name, _, version = marker.rpartition(":")
    number = version_number(version)
    return (name, number) if name and number is not None else (marker, 1 << 62)


async def list_functions(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    every_version = params.text("FunctionVersion")
    if every_version not in (None, "", "ALL"):
        raise invalid_value(f"Invalid FunctionVersion: {every_version}")
    listed: list[FunctionRecord] = []
    for function in service.functions.in_scope(ctx):
        if every_version:  # $LATEST is then shown qualified, before the published versions
            listed += [replace(function, arn=f"{function.arn}:$LATEST")]
            listed += service.functions.versions.versions_of(function)
        else:
            listed.append(function)
    marker = params.text("Marker")
    if marker:
        listed = [f for f in listed if _listing_key(f) > _after(marker)]
    size = function_rules.page_size(params, PAGE)
    page = listed[:size]
    more = len(listed) > size
    if not more:
        return {"Functions": [_shown(f) for f in page]}
    name, version = _listing_key(page[-1])
    return {"Functions": [_shown(f) for f in page], "NextMarker": f"{name}:{version}"}


async def delete_function(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    function = _latest(service, params, ctx)
    _, named = function_rules.named(ctx, params.required_text("FunctionName"))
    qualifier = params.text("Qualifier") or named
    if qualifier is not None:  # one version only
        await service.functions.versions.delete_version(function, qualifier)
        await service.invoker.forget(function.arn, qualifier)
        return {"StatusCode": 204}
    await service.functions.delete(function)
    await service.invoker.forget_function(function.arn)
    return {"StatusCode": 204}


async def update_function_code(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    function = _latest(service, params, ctx)
    code = await asyncio.to_thread(function_rules.zip_of, {"ZipFile": params.raw.get("ZipFile")})
    updated = await service.functions.update(function, {}, code)
    await service.invoker.forget(function.arn)  # the old code's workers finish what they run, then go
    if params.raw.get("Publish") is True:
        return _shown(await service.functions.publish(updated, None, None, None))
    return _shown(updated)


async def update_function_configuration(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function = _latest(service, params, ctx)
    updated = await service.functions.update(function, _configuration(params, creating=False))
    await service.invoker.forget(function.arn)  # workers of the old configuration finish, then go
    return _shown(updated)


def _log_result(log: str, request_id: str, version: str, duration_ms: float, memory: int) -> str:
    text = invocation_log(log, request_id, version, duration_ms, memory)
    return base64.b64encode(text.encode()[-LOG_TAIL:]).decode()


async def invoke(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    name, qualifier = params.required_text("FunctionName"), params.text("Qualifier")
    function = service.functions.find(ctx, name, qualifier, routed=True)
    kind = params.text("InvocationType") or "RequestResponse"
    if kind not in ("RequestResponse", "Event", "DryRun"):
        raise invalid_value(f"Invalid InvocationType: {kind}")
    payload = params.raw.get("Payload") or b"{}"
    try:
        orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise AwsError(
            "InvalidRequestContentException", f"Could not parse request body into json: {error}"
        ) from None
    if kind == "DryRun":
        return {"StatusCode": 204}
    request_id = ctx.request_id  # the invocation's id is the request's, as on AWS
    if kind == "Event":
        if len(payload) > EVENT_PAYLOAD_BYTES:
            raise request_too_large("Invoke", EVENT_PAYLOAD_BYTES)
        await service.async_invocations.queue(function, payload, request_id)  # kept before the 202
        return {"StatusCode": 202}
    started_ms = service.clock.now_ms()
    try:
        outcome = await service.invoker.invoke(
            function, payload, request_id, client_context=params.text("ClientContext")
        )
    except Throttled:
        raise throttled() from None
    version = str(function.configuration.get("Version", "$LATEST"))
    result: Result = {"StatusCode": 200, "ExecutedVersion": version}
    if outcome.error is not None:
        result["FunctionError"] = "Unhandled"
        result["Payload"] = orjson.dumps(outcome.error)
    else:
        result["Payload"] = outcome.result or b"null"
    if params.text("LogType") == "Tail":
        memory = int(function.configuration.get("MemorySize", 128))
        result["LogResult"] = _log_result(
            outcome.log, request_id, version, service.clock.now_ms() - started_ms, memory
        )
    return result


async def put_function_concurrency(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    function = _latest(service, params, ctx)
    reserved = params.integer("ReservedConcurrentExecutions")
    if reserved is None or not 0 <= reserved <= 1000:
        raise invalid_value("ReservedConcurrentExecutions must be between 0 and 1000.")
    await service.set_reserved_concurrency(function, reserved)
    return {"ReservedConcurrentExecutions": reserved}


async def get_function_concurrency(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    reserved = service.invoker.reserved(_latest(service, params, ctx))
    return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}


async def delete_function_concurrency(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    await service.set_reserved_concurrency(_latest(service, params, ctx), None)
    return {}


def _tagged(service: LambdaService, params: Params, ctx: RequestContext) -> FunctionRecord:
    return _latest(service, params, ctx, "Resource")


async def tag_resource(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    function = _tagged(service, params, ctx)
    await service.functions.retag(function, function.tags | params.text_map("Tags"))
    return {}


async def untag_resource(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    function = _tagged(service, params, ctx)
    keys = set(params.text_list("TagKeys"))
    await service.functions.retag(function, {k: v for k, v in function.tags.items() if k not in keys})
    return {}


async def list_tags(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    return {"Tags": _tagged(service, params, ctx).tags}


OPERATIONS: dict[str, Operation] = {
    "CreateFunction": create_function,
    "GetFunction": get_function,
    "GetFunctionConfiguration": get_function_configuration,
    "ListFunctions": list_functions,
    "DeleteFunction": delete_function,
    "UpdateFunctionCode": update_function_code,
    "UpdateFunctionConfiguration": update_function_configuration,
    "Invoke": invoke,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTags": list_tags,
    "PutFunctionEventInvokeConfig": invoke_configs.put_function_event_invoke_config,
    "UpdateFunctionEventInvokeConfig": invoke_configs.update_function_event_invoke_config,
    "GetFunctionEventInvokeConfig": invoke_configs.get_function_event_invoke_config,
    "DeleteFunctionEventInvokeConfig": invoke_configs.delete_function_event_invoke_config,
    "ListFunctionEventInvokeConfigs": invoke_configs.list_function_event_invoke_configs,
    "PutFunctionConcurrency": put_function_concurrency,
    "GetFunctionConcurrency": get_function_concurrency,
    "DeleteFunctionConcurrency": delete_function_concurrency,
    "GetFunctionCodeSigningConfig": settings.get_function_code_signing_config,
    "GetFunctionRecursionConfig": settings.get_function_recursion_config,
    "GetRuntimeManagementConfig": settings.get_runtime_management_config,
    "ListFunctionUrlConfigs": settings.list_function_url_configs,
    "ListProvisionedConcurrencyConfigs": settings.list_provisioned_concurrency_configs,
    "GetAccountSettings": settings.get_account_settings,
    "AddPermission": permissions.add_permission,
    "RemovePermission": permissions.remove_permission,
    "GetPolicy": permissions.get_policy,
    "PublishVersion": versions.publish_version,
    "ListVersionsByFunction": versions.list_versions_by_function,
    "CreateAlias": versions.create_alias,
    "GetAlias": versions.get_alias,
    "UpdateAlias": versions.update_alias,
    "DeleteAlias": versions.delete_alias,
    "ListAliases": versions.list_aliases,
    "CreateEventSourceMapping": mappings.create_event_source_mapping,
    "GetEventSourceMapping": mappings.get_event_source_mapping,
    "UpdateEventSourceMapping": mappings.update_event_source_mapping,
    "DeleteEventSourceMapping": mappings.delete_event_source_mapping,
    "ListEventSourceMappings": mappings.list_event_source_mappings,
}
