"""The admin API's OpenAPI 3.1 description, generated from the route table itself: each route's path and
methods, its path parameters, and its handler's docstring (first line: summary; the rest: description)."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

_PARAMETER = re.compile(r"{([A-Za-z_]+)(?::[a-z]+)?}")


def document(routes: list[BaseRoute], version: str) -> dict[str, Any]:
    import inspect  # at the first request for the document: start-up does not pay for it

    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route):
            continue
        path = _PARAMETER.sub(r"{\1}", route.path)
        doc = inspect.getdoc(route.endpoint) or route.name.replace("_", " ")
        summary, _, description = doc.partition("\n")
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PARAMETER.findall(route.path)
        ]
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            operation: dict[str, Any] = {
                "operationId": f"{method.lower()}_{route.name}_{len(paths)}",
                "summary": summary.strip(),
                "responses": {
                    "200": {"description": "OK (JSON, except /metrics: Prometheus text)"},
                    "400": {"description": "A request the route refuses, with the reason"},
                    "404": {"description": "No such resource"},
                },
            }
            if description.strip():
                operation["description"] = description.strip()
            if parameters:
                operation["parameters"] = parameters
            if method == "POST":
                operation["requestBody"] = {
                    "required": False,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Posthouse admin API",
            "version": version,
            "description": "Inspection and control of a Posthouse server. Writes take only application/json"
            " bodies, from allowed hosts and origins, with the admin token when one is set.",
        },
        "paths": paths,
    }


async def openapi(request: Request) -> Response:
    """This document: the admin API in OpenAPI 3.1."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("posthouse")
    except PackageNotFoundError:
        installed = "0"
    return JSONResponse(document(request.app.routes, installed))
