"""Settings Posthouse keeps at AWS's defaults, answered as AWS answers a function or account that never changed
them: infrastructure tools (Terraform's aws_lambda_function among them) read these after every deploy."""

from __future__ import annotations

from typing import Any

from server.context import RequestContext
from server.services.lambda_.function_rules import MAX_ZIP
from server.services.lambda_.service import LambdaService
from server.services.params import Params

Result = dict[str, Any]
ACCOUNT_CONCURRENCY = 1000
"""AWS's default concurrent executions per account and region."""


async def get_function_code_signing_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function = service.functions.latest(ctx, params.required_text("FunctionName"))
    return {"CodeSigningConfigArn": "", "FunctionName": function.name}


async def get_function_recursion_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    service.functions.latest(ctx, params.required_text("FunctionName"))
    return {"RecursiveLoop": "Terminate"}


async def get_runtime_management_config(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    function = service.functions.find(ctx, params.required_text("FunctionName"), params.text("Qualifier"))
    return {"UpdateRuntimeOn": "Auto", "FunctionArn": function.arn}


async def list_function_url_configs(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    service.functions.latest(ctx, params.required_text("FunctionName"))
    return {"FunctionUrlConfigs": []}  # function URLs are not offered


async def list_provisioned_concurrency_configs(
    service: LambdaService, params: Params, ctx: RequestContext
) -> Result:
    service.functions.latest(ctx, params.required_text("FunctionName"))
    return {"ProvisionedConcurrencyConfigs": []}


async def get_account_settings(service: LambdaService, params: Params, ctx: RequestContext) -> Result:
    functions = service.functions.in_scope(ctx)
    reserved = sum(service.invoker.reserved(f) or 0 for f in functions)
    return {
        "AccountLimit": {
            "TotalCodeSize": 80_530_636_800,
            "CodeSizeUnzipped": 262_144_000,
            "CodeSizeZipped": MAX_ZIP,
            "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
            "UnreservedConcurrentExecutions": ACCOUNT_CONCURRENCY - reserved,
        },
        "AccountUsage": {
            "TotalCodeSize": sum(int(f.configuration.get("CodeSize", 0)) for f in functions),
            "FunctionCount": len(functions),
        },
    }
