"""The dashboard's files: a static page and its script and style, from the package (no build step)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

_FILES = Path(__file__).with_name("ui")
_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}


async def page(request: Request) -> Response:
    """The web dashboard: queues with live counts and rates, a message browser, send, redrive, topics, mappings."""
    return _file("index.html")


async def asset(request: Request) -> Response:
    """The dashboard's script and style."""
    return _file(request.path_params["file"])


def _file(name: str) -> Response:
    media_type = _TYPES.get(name)
    if media_type is None:
        return JSONResponse({"error": "no such file"}, status_code=404)
    # No framing by other pages; the page talks to this server only.
    headers = {
        "cache-control": "no-store",
        "x-frame-options": "DENY",
        "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    }
    return Response((_FILES / name).read_bytes(), media_type=media_type, headers=headers)


UI_ROUTES = [Route("/admin/ui", page), Route("/admin/ui/{file}", asset)]
