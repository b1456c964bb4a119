"""A function's EventInvokeConfig (retries, event age and destinations of its Event invocations): one handler
per operation, params in, result out. Kept with the function's configuration."""

from __future__ import annotations

from typing import Any

from persistence.records import FunctionRecord
from server.context import RequestContext
from server.errors import AwsError
from server.services.lambda_.async_invocations import invoke_config
from server.services.lambda_.errors import invalid_value
from server.services.lambda_.service import LambdaService
from server.services.params import Params

Result = dict[str, Any]
_DESTINATION_SERVICES = ("arn:aws:sqs:", "arn:aws:sns:", "arn:aws:lambda:", "arn:aws:events:", "arn:aws:s3:")


def _checked(params: Params) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    retries = params.integer("MaximumRetryAttempts")
    if retries is not None:
        if not 0 <= retries <= 2:
            raise invalid_value("MaximumRetryAttempts must be between 0 and 2.")
        wanted["MaximumRetryAttempts"] = retries
    age = params.integer("MaximumEventAgeInSeconds")
    if age is not None:
        if not 60 <= age <= 21600:
            raise invalid_value("MaximumEventAgeInSeconds must be between 60 and 21600.")
        wanted["MaximumEventAgeInSeconds"] = age
    destinations = params.mapping("DestinationConfig")
    for key, destination in destinations.items():
        arn = destination.get("Destination") if isinstance(destination, dict) else None
        if key not in ("OnSuccess", "OnFailure") or (
            arn is not None and not str(arn).startswith(_DESTINATION_SERVICES)
        ):
            raise invalid_value(f"The destination ARN {arn} is invalid.")
    if params.has("DestinationConfig"):
        wanted["DestinationConfig"] = destinations
    return wanted


def _shown(function: FunctionRecord, config: dict[str, Any]) -> Result:
    destinations = config.get("DestinationConfig") or {}
    return {
        "LastModified": config["LastModified"],
        "FunctionArn": f"{function.arn}:$LATEST",
        "MaximumRetryAttempts": config.get("MaximumRetryAttempts", 2),
        "MaximumEventAgeInSeconds": config.get("MaximumEventAgeInSeconds", 21600),
        "DestinationConfig": {
            "OnSuccess": destinations.get("OnSuccess", {}),
            "OnFailure": destinations.get("OnFailure", {}),
        },
    }


async def _save(service: LambdaService, function: FunctionRecord, config: dict[str, Any] | None) -> None:
    configuration = {k: v for k, v in function.configuration.items() if k != "EventInvokeConfig"}
    if config is not None:
        configuration["EventInvokeConfig"] = config | {"LastModified": service.clock.now_ms() / 1000}
    await service.functions.replace_configuration(function, configuration)


async def put_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function = service.functions.latest(ctx, params.required_text("FunctionName"))
    await _save(service, function, _checked(params))
    updated = service.functions.latest(ctx, function.arn)
    return _shown(updated, invoke_config(updated))


async def update_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function = service.functions.latest(ctx, params.required_text("FunctionName"))
    await _save(service, function, invoke_config(function) | _checked(params))
    updated = service.functions.latest(ctx, function.arn)
    return _shown(updated, invoke_config(updated))


def _existing(
    service: LambdaService, params: Params, ctx: RequestContext
) -> tuple[FunctionRecord, dict[str, Any]]:
    function = service.functions.latest(ctx, params.required_text("FunctionName"))
    config = invoke_config(function)
    if not config:
        raise AwsError(
            "ResourceNotFoundException",
            f"The function {function.arn} doesn't have an EventInvokeConfig",
            status=404,
        )
    return function, config


async def get_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    return _shown(*_existing(service, params, ctx))


async def delete_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function, _ = _existing(service, params, ctx)
    await _save(service, function, None)
    return {}


async def list_function_event_invoke_configs(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function = service.functions.latest(ctx, params.required_text("FunctionName"))
    config = invoke_config(function)
    return {"FunctionEventInvokeConfigs": [_shown(function, config)] if config else []}
