"""The `posthouse` command: flags and POSTHOUSE_* environment variables -> Config -> uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Generator, Sequence
from typing import Any, get_args

import uvicorn

from persistence.backup import backup
from persistence.engine import Durability
from server import tls
from server.app import DATABASE_FILE, create_app
from server.config import Config, QueueUrlStyle, own_url
from server.limits import protocol_with
from server.request_log import JsonFormatter

_DEFAULTS = Config()
_LOG_LEVELS = ["critical", "error", "warning", "info", "debug"]
# Flags that take a value: flag -> (default, help). Each also reads POSTHOUSE_<FLAG NAME>.
_VALUES: dict[str, tuple[object, str]] = {
    "--host": (_DEFAULTS.host, "interface to listen on"),
    "--port": (_DEFAULTS.port, "port for every API and the admin routes"),
    "--tls-port": (
        None,
        "also listen for HTTPS on this port (same routes; SNS's SigningCertURL points at it)",
    ),
    "--tls-cert": (
        None,
        "PEM file with the HTTPS certificate and its key (default: a self-signed one made as tls.pem in the data dir)",
    ),
    "--data-dir": (_DEFAULTS.data_dir, "where the SQLite database lives"),
    "--region": (_DEFAULTS.region, "region for requests that name none"),
    "--account": (_DEFAULTS.account, "account for access keys that are not 12-digit account ids"),
    "--base-url": (None, "fixed scheme://host:port for queue URLs (default: the request's Host header)"),
    "--log-level": (_DEFAULTS.log_level, "one of " + ", ".join(_LOG_LEVELS) + " (info: a line per request)"),
    "--log-format": (_DEFAULTS.log_format, "text, or json (one JSON object per line)"),
    "--allow-origin": ("", "comma-separated browser origins allowed to call, or * (default: none)"),
    "--admin-host": ("", "older name of --allowed-host (comma-separated)"),
    "--admin-token": (None, "require Authorization: Bearer <token> on the admin routes"),
    "--head-timeout": (_DEFAULTS.head_timeout_s, "seconds a client may take to send a request's headers"),
    "--body-timeout": (_DEFAULTS.body_timeout_s, "longest pause in seconds while a request body arrives"),
    "--max-connections": (_DEFAULTS.max_connections, "open connections at once; past it new ones get 503"),
    "--body-budget-mb": (
        _DEFAULTS.body_budget_mb,
        "MiB of request bodies held in memory at once, all connections together (past it: 503)",
    ),
    "--lambda-max-workers": (
        _DEFAULTS.lambda_max_workers,
        "function worker processes at once, all functions together (past it invocations wait, direct ones get 429)",
    ),
    "--lambda-idle-seconds": (_DEFAULTS.lambda_idle_s, "how long an idle function worker is kept warm"),
    "--logs-max-group-mb": (
        _DEFAULTS.logs_max_group_mb,
        "MiB of messages a CloudWatch Logs group keeps at most (the oldest are dropped first)",
    ),
    "--trace-sql": (None, "append every SQL statement the server runs to this file (for diagnosis)"),
    "--seed": (
        None,
        "a seed document (YAML or JSON) of queues, topics, functions and mappings created at start where"
        " missing (also POSTHOUSE_SEED_FILE; POSTHOUSE_SEED holds a document inline)",
    ),
    "--init-dir": (None, "a folder of scripts (.sh, .py) run once the server listens, before `Ready.`"),
    "--queue-url-style": (
        _DEFAULTS.queue_url_style,
        "queue URLs handed out: off (host/account/name), standard (sqs.<region>.host/...), domain"
        " (<region>.queue.host/...) or path (host/queue/<region>/...); every style is accepted on input."
        " Also read from LocalStack's SQS_ENDPOINT_STRATEGY",
    ),
    "--durability": (
        _DEFAULTS.durability,
        "fast: a killed process loses no answered request; safe: nor does a power cut (slower commits)",
    ),
}
# On/off flags: flag -> help. Each also reads POSTHOUSE_<FLAG NAME>=1 (or true/yes/on).
_SWITCHES = {
    "--in-memory": "keep everything in memory (nothing survives a restart)",
    "--controllable-clock": "enable POST /admin/clock to move time forward (for tests)",
    "--no-purge-interval": "allow PurgeQueue more than once per 60 s",
    "--queue-deleted-recently": "refuse to recreate a deleted queue's name for 60 s, as AWS does",
    "--sns-unsigned": "give SNS messages a placeholder Signature instead of a real one (faster; for load tests)",
}


# Variables read too, after POSTHOUSE_*: LocalStack's, so a compose file moved over keeps working.
_LOCALSTACK_NAMES = {"--queue-url-style": "SQS_ENDPOINT_STRATEGY"}
_ENV_NAMES = {"--seed": "POSTHOUSE_SEED_FILE"}
"""Flags whose variable is not POSTHOUSE_<FLAG NAME> (POSTHOUSE_SEED is an inline document)."""


def _env(flag: str) -> str | None:
    name = _ENV_NAMES.get(flag) or "POSTHOUSE_" + flag.lstrip("-").replace("-", "_").upper()
    value = os.environ.get(name)
    if value is None and flag in _LOCALSTACK_NAMES:
        value = os.environ.get(_LOCALSTACK_NAMES[flag])
    return value


def _listed(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _seeds(parser: argparse.ArgumentParser, path: str | None) -> tuple[tuple[str, str, str], ...]:
    """The seed file and the inline POSTHOUSE_SEED document, read and checked now: a bad one stops the start
    here, in one line naming its line."""
    from server.seed.document import SeedError, read

    seeds = []
    if path:
        try:
            with open(path, encoding="utf-8") as file:
                seeds.append((path, file.read(), os.path.dirname(os.path.abspath(path))))
        except (OSError, UnicodeDecodeError) as error:
            parser.exit(2, f"posthouse: cannot read the seed {path}: {error}\n")
    inline = os.environ.get("POSTHOUSE_SEED")
    if inline:
        seeds.append(("POSTHOUSE_SEED", inline, os.getcwd()))
    for source, text, base_dir in seeds:
        try:
            read(source, text, base_dir)
        except SeedError as error:
            parser.exit(2, f"posthouse: {error}\n")
    return tuple(seeds)


def parse_config(argv: Sequence[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        prog="posthouse", description="A local, durable stand-in for Amazon SQS, SNS and Lambda."
    )
    for flag, (default, help_text) in _VALUES.items():
        parser.add_argument(flag, default=_env(flag) or default, help=help_text)
    for flag, help_text in _SWITCHES.items():
        on = (_env(flag) or "").strip().lower() in ("1", "true", "yes", "on")
        parser.add_argument(flag, action="store_true", default=on, help=help_text)
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=list(_listed(os.environ.get("POSTHOUSE_ALLOWED_HOSTS", ""))),
        help="a host name Posthouse also answers to (repeatable; *.example.com for a domain, * for any);"
        " local names, IP addresses and single-label names always work. Also POSTHOUSE_ALLOWED_HOSTS",
    )
    args = parser.parse_args(argv)
    if args.log_level not in _LOG_LEVELS:
        parser.error(f"--log-level must be one of {', '.join(_LOG_LEVELS)}")
    if args.log_format not in ("text", "json"):
        parser.error("--log-format must be text or json")
    if args.durability not in get_args(Durability):
        parser.error("--durability must be fast or safe")
    if args.queue_url_style not in get_args(QueueUrlStyle):
        parser.error("--queue-url-style must be one of " + ", ".join(get_args(QueueUrlStyle)))
    ports = {}
    for flag in ("port", "tls_port"):
        text = getattr(args, flag)
        if text is None:
            continue
        if not str(text).isdigit() or not 0 < int(text) < 65536:
            parser.error(f"--{flag.replace('_', '-')} must be a port number, not {text!r}")
        ports[flag] = int(text)
    timeouts = {}
    for flag in ("head_timeout", "body_timeout"):
        try:
            timeouts[flag] = float(getattr(args, flag))
        except ValueError:
            parser.error(f"--{flag.replace('_', '-')} must be a number of seconds")
    counts = {}
    for flag in (
        "max_connections",
        "body_budget_mb",
        "lambda_max_workers",
        "lambda_idle_seconds",
        "logs_max_group_mb",
    ):
        text = str(getattr(args, flag))
        if not text.isdigit() or int(text) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be a whole number above 0")
        counts[flag] = int(text)
    return Config(
        host=args.host,
        port=ports["port"],
        tls_port=ports.get("tls_port"),
        seeds=_seeds(parser, args.seed),
        init_dir=args.init_dir or None,
        tls_certificate=args.tls_cert or None,
        data_dir=args.data_dir,
        in_memory=args.in_memory,
        region=args.region,
        account=args.account,
        base_url=args.base_url.rstrip("/") if args.base_url else None,
        controllable_clock=args.controllable_clock,
        log_level=args.log_level,
        log_format=args.log_format,
        durability=args.durability,
        trace_sql=args.trace_sql or None,
        allowed_origins=_listed(args.allow_origin),
        allowed_hosts=(*args.allowed_host, *_listed(args.admin_host)),
        admin_token=args.admin_token or None,
        head_timeout_s=timeouts["head_timeout"],
        body_timeout_s=timeouts["body_timeout"],
        max_connections=counts["max_connections"],
        body_budget_mb=counts["body_budget_mb"],
        lambda_max_workers=counts["lambda_max_workers"],
        lambda_idle_s=counts["lambda_idle_seconds"],
        logs_max_group_mb=counts["logs_max_group_mb"],
        enforce_purge_interval=not args.no_purge_interval,
        enforce_recreate_delay=args.queue_deleted_recently,
        sign_sns_messages=not args.sns_unsigned,
        queue_url_style=args.queue_url_style,
    )


class _Companion(uvicorn.Server):
    """The HTTPS listener: run by the main server, which alone handles signals and the app's lifespan."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.listening.set()


class _Server(uvicorn.Server):
    """uvicorn, plus: say `Ready.` once the socket accepts (and the HTTPS one, with --tls-port), and release
    long polls when told to stop."""

    companion: _Companion | None = None
    _companion_run: asyncio.Task[None] | None = None

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started and self.companion is not None:
            self._companion_run = asyncio.create_task(self.companion.serve())
            listening = asyncio.create_task(self.companion.listening.wait())
            await asyncio.wait({self._companion_run, listening}, return_when=asyncio.FIRST_COMPLETED)
            listening.cancel()
            if not self.companion.started:
                port = self.companion.config.port
                print(f"posthouse: cannot listen for HTTPS on port {port}", file=sys.stderr)
                self.should_exit = True
                return
        if self.started:
            await self._run_init_scripts()
            print("Ready.", flush=True)

    async def _run_init_scripts(self) -> None:
        state = _app_state(self)
        init = getattr(state, "init", None) if state is not None else None
        if init is None or init.completed:
            return
        config: Config = state.config
        await init.run(own_url(config), config.region)
        state.ready = True

    async def shutdown(self, sockets: Any = None) -> None:
        if self.companion is not None and self._companion_run is not None:
            self.companion.should_exit = True
            await self._companion_run
        await super().shutdown(sockets)

    def handle_exit(self, sig: int, frame: Any) -> None:
        state = _app_state(self)
        if state is not None:
            state.runtime.begin_stopping()
        super().handle_exit(sig, frame)


def _app_state(server: uvicorn.Server) -> Any:
    """The Posthouse app's state under uvicorn's wrappers, if it is there."""
    app = server.config.loaded_app
    while hasattr(app, "app") and not hasattr(app, "state"):
        app = app.app
    return getattr(app, "state", None)


def _configure_logging(config: Config) -> None:
    """The server's log lines, uvicorn's included, in one format on stderr: text, or JSON lines."""
    handler = logging.StreamHandler()
    if config.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        text = logging.Formatter(
            "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S"
        )
        text.converter = time.gmtime  # UTC, as the request lines are
        handler.setFormatter(text)
    logging.basicConfig(level=config.log_level.upper(), handlers=[handler])


def backup_main(argv: Sequence[str]) -> None:
    """`posthouse backup DEST`: a consistent copy of the database, while the server runs or not."""
    parser = argparse.ArgumentParser(
        prog="posthouse backup", description="Copy the database, consistently, while Posthouse runs or not."
    )
    parser.add_argument("destination", help="the new file to write the copy to")
    parser.add_argument("--data-dir", default=_env("--data-dir") or _DEFAULTS.data_dir)
    args = parser.parse_args(argv)
    source = os.path.join(args.data_dir, DATABASE_FILE)
    try:
        size = backup(source, args.destination)
    except (OSError, sqlite3.Error) as error:
        print(f"posthouse backup: {error}", file=sys.stderr)
        sys.exit(1)
    print(f"posthouse backup: {source} copied to {args.destination} ({size} bytes)")


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["backup"]:
        backup_main(arguments[1:])
        return
    config = parse_config(arguments)
    _configure_logging(config)
    app = create_app(config)
    uvicorn_config = uvicorn.Config(
        app,
        host=config.host,
        port=config.port,
        log_level=config.log_level,
        log_config=None,  # uvicorn's lines go through the server's own format (_configure_logging)
        access_log=config.log_level == "debug",
        timeout_graceful_shutdown=5,
        http=protocol_with(app.limits, app.refuse_announced_body),
        limit_concurrency=config.max_connections,
        proxy_headers=False,  # queue URLs behind a proxy come from --base-url; this middleware costs ~1.5 %
        lifespan="on",
    )
    server = _Server(uvicorn_config)
    if config.tls_port is not None:
        server.companion = _Companion(
            uvicorn.Config(
                app,
                host=config.host,
                port=config.tls_port,
                log_level=config.log_level,
                log_config=None,
                access_log=config.log_level == "debug",
                timeout_graceful_shutdown=5,
                http=protocol_with(app.limits, app.refuse_announced_body),
                limit_concurrency=config.max_connections,
                proxy_headers=False,
                lifespan="off",
                ssl_certfile=tls.certificate_file(config),
            )
        )
    server.run()
    sys.exit(0 if server.started else 1)
