"""The operator routes (/admin, /health, /ready, /metrics, /_aws, /_localstack) as one ASGI app, built at the first
operator request: Starlette and the admin modules are imported then, so start-up does not pay for them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from starlette.types import Receive, Scope, Send


class OperatorApp:
    def __init__(self) -> None:
        self.state = SimpleNamespace()
        """What the routes read (`request.app.state`): the runtime, the config, whether the server is ready."""
        self._app: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._build()
        await self._app(scope, receive, send)

    def _build(self) -> Any:
        from starlette.applications import Starlette

        from server.admin.routes import EXCEPTION_HANDLERS, ROUTES

        app = Starlette(routes=ROUTES, exception_handlers=EXCEPTION_HANDLERS)
        app.state = self.state  # type: ignore[assignment]
        return app
