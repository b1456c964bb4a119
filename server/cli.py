"""The `posthouse` command: flags and POSTHOUSE_* environment variables -> Config -> uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn

from server.app import create_app
from server.config import Config

_DEFAULTS = Config()


def _env(name: str, default: Any) -> Any:
    return os.environ.get(f"POSTHOUSE_{name.upper()}", default)


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(f"POSTHOUSE_{name.upper()}")
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def parse_config(argv: Sequence[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        prog="posthouse", description="A local, durable stand-in for Amazon SQS."
    )
    parser.add_argument("--host", default=_env("host", _DEFAULTS.host))
    parser.add_argument("--port", type=int, default=int(_env("port", _DEFAULTS.port)))
    parser.add_argument("--data-dir", default=_env("data_dir", _DEFAULTS.data_dir))
    parser.add_argument(
        "--in-memory",
        action="store_true",
        default=_env_flag("in_memory", False),
        help="keep everything in memory (nothing survives a restart)",
    )
    parser.add_argument("--region", default=_env("region", _DEFAULTS.region))
    parser.add_argument("--account", default=_env("account", _DEFAULTS.account))
    parser.add_argument(
        "--base-url",
        default=_env("base_url", None),
        help="fixed scheme://host:port for queue URLs (default: the request's Host header)",
    )
    parser.add_argument(
        "--controllable-clock",
        action="store_true",
        default=_env_flag("controllable_clock", False),
        help="enable POST /admin/clock to move time forward (for tests)",
    )
    parser.add_argument(
        "--no-purge-interval",
        action="store_true",
        default=_env_flag("no_purge_interval", False),
        help="allow PurgeQueue more than once per 60 s",
    )
    parser.add_argument(
        "--queue-deleted-recently",
        action="store_true",
        default=_env_flag("queue_deleted_recently", False),
        help="refuse to recreate a deleted queue's name for 60 s, as AWS does",
    )
    parser.add_argument(
        "--log-level",
        default=_env("log_level", _DEFAULTS.log_level),
        choices=["critical", "error", "warning", "info", "debug"],
    )
    args = parser.parse_args(argv)
    return Config(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        in_memory=args.in_memory,
        region=args.region,
        account=args.account,
        base_url=args.base_url.rstrip("/") if args.base_url else None,
        controllable_clock=args.controllable_clock,
        log_level=args.log_level,
        enforce_purge_interval=not args.no_purge_interval,
        enforce_recreate_delay=args.queue_deleted_recently,
    )


class _Server(uvicorn.Server):
    """uvicorn, plus: say `Ready.` once the socket accepts, and release long polls when told to stop."""

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            print("Ready.", flush=True)

    def handle_exit(self, sig: int, frame: Any) -> None:
        app = self.config.loaded_app
        while hasattr(app, "app") and not hasattr(app, "state"):
            app = app.app
        if hasattr(app, "state"):
            app.state.sqs.stop()
        super().handle_exit(sig, frame)


def main(argv: Sequence[str] | None = None) -> None:
    config = parse_config(argv)
    logging.basicConfig(
        level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn_config = uvicorn.Config(
        create_app(config),
        host=config.host,
        port=config.port,
        log_level=config.log_level,
        access_log=config.log_level == "debug",
        timeout_graceful_shutdown=5,
        lifespan="on",
    )
    server = _Server(uvicorn_config)
    server.run()
    sys.exit(0 if server.started else 1)
