"""Server configuration: one frozen value built from flags and POSTHOUSE_* environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from persistence.engine import Durability
from server.limits import MIB, Limits

QueueUrlStyle = Literal["off", "standard", "domain", "path"]
"""SQS queue URL styles, by the names LocalStack's SQS_ENDPOINT_STRATEGY gives them."""


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: str = "./posthouse-data"
    in_memory: bool = False
    region: str = "us-east-1"
    account: str = "000000000000"
    base_url: str | None = None
    controllable_clock: bool = False
    log_level: str = "info"
    log_format: str = "text"
    """`text`, or `json` lines (the request log and every other log line)."""
    durability: Durability = "fast"
    """`fast`: a killed process loses nothing; `safe`: nor does a power cut (synchronous=FULL)."""
    allowed_origins: tuple[str, ...] = ()
    """Browser origins allowed to call (none by default: SDKs send no Origin)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names, besides local ones and the base URL's, that Posthouse answers to (`*.domain`, `*`)."""
    admin_token: str | None = None
    head_timeout_s: float = 10.0
    """How long a client may take to send a request's line and headers."""
    body_timeout_s: float = 30.0
    """Longest pause allowed while a request body arrives."""
    body_budget_mb: int = 256
    """Request bodies held in memory at once, all connections together."""
    max_connections: int = 1000
    """Open connections at once; past it new ones are answered 503."""
    lambda_max_workers: int = 32
    """Function worker processes at once, every function together."""
    lambda_idle_s: int = 120
    """How long an idle function worker is kept warm."""
    logs_max_group_mb: int = 64
    """CloudWatch Logs: messages one log group keeps at most (its oldest dropped first)."""
    trace_sql: str | None = None
    """A file to append every SQL statement to (diagnostics; off by default)."""
    # AWS allows one PurgeQueue per queue every 60 s; test suites may want to switch that off.
    enforce_purge_interval: bool = True
    # AWS refuses to recreate a deleted queue's name for 60 s; off by default, as test suites recreate queues.
    enforce_recreate_delay: bool = False
    queue_url_style: QueueUrlStyle = "off"
    """How handed-out queue URLs look (LocalStack's SQS_ENDPOINT_STRATEGY names); every style is read."""
    # SNS signs every message (an RSA signature, about 75 µs); load tests that never verify may skip it.
    sign_sns_messages: bool = True
    tls_port: int | None = None
    """A second, HTTPS listener (same routes); SNS's SigningCertURL then points at it."""
    tls_certificate: str | None = None
    """A PEM file holding the HTTPS listener's certificate and key (default: one made in the data dir)."""
    seeds: tuple[tuple[str, str, str], ...] = ()
    """Seed documents to apply at start: (source, text, the folder relative paths start from)."""
    init_dir: str | None = None
    """A folder of scripts run once the server listens, before it says it is ready."""


def own_url(config: Config) -> str:
    """Where the server's own clients reach it (functions' AWS_ENDPOINT_URL; SNS messages not published by a
    request): the base URL, else the listening address (loopback when listening on every interface)."""
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::", "") else config.host
    return config.base_url or f"http://{host}:{config.port}"


def limits_of(config: Config) -> Limits:
    return Limits(
        head_timeout_s=config.head_timeout_s,
        body_timeout_s=config.body_timeout_s,
        body_budget_bytes=config.body_budget_mb * MIB,
        max_connections=config.max_connections,
    )
