"""Lambda's admin routes (JSON): functions with their reserved concurrency, versions, aliases and latest
invocations, and event-source mappings with their pollers' counters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from persistence.records import FunctionRecord
from server.admin.services import lambda_of
from server.services.lambda_ import mapping_rules
from server.services.lambda_.errors import function_not_found
from server.services.lambda_.mappings import mapping_not_found
from server.services.lambda_.service import LambdaService


def _function(service: LambdaService, name: str) -> FunctionRecord:
    found = [f for f in service.functions.all() if name in (f.name, f.arn)]
    if not found:
        raise function_not_found(name)
    return found[0]


async def list_functions(request: Request) -> Response:
    """Every function, with its configuration."""
    service = lambda_of(request)
    functions = [
        {
            "name": f.name,
            "arn": f.arn,
            "runtime": f.configuration.get("Runtime"),
            "handler": f.configuration.get("Handler"),
            "reserved_concurrency": service.invoker.reserved(f),
            "invocations_kept": len(service.activity.invocations.get(f.arn, ())),
            "versions": [v.configuration["Version"] for v in service.functions.versions.versions_of(f)],
            "aliases": {a["Name"]: a["FunctionVersion"] for a in service.functions.versions.aliases(f)},
            "invocations": service.activity.of_function(f.arn).invocations,
            "errors": service.activity.of_function(f.arn).errors,
            "throttles": service.activity.of_function(f.arn).throttles,
            "running": service.invoker.running().get(f.arn, 0),
        }
        for f in sorted(service.functions.all(), key=lambda f: f.arn)
    ]
    return JSONResponse({"functions": functions})


async def function_invocations(request: Request) -> Response:
    """A function's latest invocations: source, duration, error, log tail."""
    service = lambda_of(request)
    function = _function(service, request.path_params["name"])
    return JSONResponse(
        {"function": function.arn, "invocations": list(service.activity.invocations.get(function.arn, ()))}
    )


async def function_code(request: Request) -> Response:
    """The deployment package, where GetFunction's Code.Location points (AWS: a presigned S3 URL)."""
    service = lambda_of(request)
    latest = _function(service, request.path_params["name"])
    qualifier = request.query_params.get("qualifier")
    function = service.functions.versions.resolve(latest, qualifier) if qualifier else latest
    if function is None:
        raise function_not_found(f"{latest.arn}:{qualifier}")
    package = await service.functions.code(function)
    return Response(package, media_type="application/zip")


async def list_mappings(request: Request) -> Response:
    """Every event-source mapping, with its counters."""
    service = lambda_of(request)
    mappings = [
        mapping_rules.view(m) | {"stats": service.activity.of_mapping(m.uuid).view()}
        for m in sorted(service.mappings.all(), key=lambda m: m.uuid)
    ]
    return JSONResponse({"mappings": mappings})


async def describe_mapping(request: Request) -> Response:
    """One event-source mapping and its counters."""
    service = lambda_of(request)
    mapping = service.mappings.get(request.path_params["uuid"])
    if mapping is None:
        raise mapping_not_found()
    return JSONResponse(
        mapping_rules.view(mapping) | {"stats": service.activity.of_mapping(mapping.uuid).view()}
    )


LAMBDA_ROUTES = [
    Route("/admin/lambda/functions", list_functions),
    Route("/admin/lambda/functions/{name:path}/invocations", function_invocations),
    Route("/admin/lambda/functions/{name:path}/code", function_code),
    Route("/admin/lambda/mappings", list_mappings),
    Route("/admin/lambda/mappings/{uuid}", describe_mapping),
]
