"""A function's EventInvokeConfig (retries, event age and destinations of its Event invocations): one handler
per operation, params in, result out. Kept with the function's configuration."""

from __future__ import annotations

from typing import Any

from persistence.records import FunctionRecord
from server.context import RequestContext
from server.errors import AwsError
from server.services.lambda_.async_invocations import QUALIFIED_CONFIGS, invoke_config
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


def _shown(latest: FunctionRecord, qualifier: str | None, config: dict[str, Any]) -> Result:
    destinations = config.get("DestinationConfig") or {}
    return {
        "LastModified": config["LastModified"],
        "FunctionArn": f"{latest.arn}:{qualifier or '$LATEST'}",
        "MaximumRetryAttempts": config.get("MaximumRetryAttempts", 2),
        "MaximumEventAgeInSeconds": config.get("MaximumEventAgeInSeconds", 21600),
        "DestinationConfig": {
            "OnSuccess": destinations.get("OnSuccess", {}),
            "OnFailure": destinations.get("OnFailure", {}),
        },
    }


def _settings_of(
    service: LambdaService, params: Params, ctx: RequestContext
) -> tuple[FunctionRecord, str | None]:
    return service.functions.settings_of(ctx, params.required_text("FunctionName"), params.text("Qualifier"))


async def _save(
    service: LambdaService, latest: FunctionRecord, qualifier: str | None, config: dict[str, Any] | None
) -> dict[str, Any]:
    """Store (or with None, remove) one EventInvokeConfig; `$LATEST` as it is afterwards."""
    configuration = dict(latest.configuration)
    stamped = None if config is None else config | {"LastModified": service.clock.now_ms() / 1000}
    if qualifier is None:
        configuration.pop("EventInvokeConfig", None)
        if stamped is not None:
            configuration["EventInvokeConfig"] = stamped
    else:
        qualified = dict(configuration.pop(QUALIFIED_CONFIGS, None) or {})
        qualified.pop(qualifier, None)
        if stamped is not None:
            qualified[qualifier] = stamped
        if qualified:
            configuration[QUALIFIED_CONFIGS] = qualified
    await service.functions.replace_configuration(latest, configuration)
    return stamped or {}


async def put_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    latest, qualifier = _settings_of(service, params, ctx)
    return _shown(latest, qualifier, await _save(service, latest, qualifier, _checked(params)))


async def update_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    latest, qualifier = _settings_of(service, params, ctx)
    merged = invoke_config(latest, qualifier) | _checked(params)
    return _shown(latest, qualifier, await _save(service, latest, qualifier, merged))


def _existing(
    service: LambdaService, params: Params, ctx: RequestContext
) -> tuple[FunctionRecord, str | None, dict[str, Any]]:
    latest, qualifier = _settings_of(service, params, ctx)
    config = invoke_config(latest, qualifier)
    if not config:
        raise AwsError(
            "ResourceNotFoundException",
            f"The function {latest.arn}:{qualifier or '$LATEST'} doesn't have an EventInvokeConfig",
            status=404,
        )
    return latest, qualifier, config


async def get_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    return _shown(*_existing(service, params, ctx))


async def delete_function_event_invoke_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    latest, qualifier, _ = _existing(service, params, ctx)
    await _save(service, latest, qualifier, None)
    return {}


async def list_function_event_invoke_configs(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    latest = service.functions.latest(ctx, params.required_text("FunctionName"))
    configs: list[tuple[str | None, dict[str, Any]]] = [(None, invoke_config(latest))]
    configs += sorted((latest.configuration.get(QUALIFIED_CONFIGS) or {}).items())
    return {"FunctionEventInvokeConfigs": [_shown(latest, q, config) for q, config in configs if config]}
