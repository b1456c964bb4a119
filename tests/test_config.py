"""Configuration: flags, POSTHOUSE_* environment variables, and flags winning over the environment."""

from __future__ import annotations

import pytest

from server.cli import parse_config
from server.config import Config


def test_defaults() -> None:
    assert parse_config([]) == Config()


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOUSE_PORT", "5000")
    monkeypatch.setenv("POSTHOUSE_DATA_DIR", "/tmp/x")
    monkeypatch.setenv("POSTHOUSE_IN_MEMORY", "true")
    monkeypatch.setenv("POSTHOUSE_BASE_URL", "http://sqs.local:5000/")
    monkeypatch.setenv("POSTHOUSE_NO_PURGE_INTERVAL", "1")
    config = parse_config([])
    assert (config.port, config.data_dir, config.in_memory) == (5000, "/tmp/x", True)
    assert config.base_url == "http://sqs.local:5000"
    assert config.enforce_purge_interval is False


def test_flags_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOUSE_REGION", "eu-west-1")
    config = parse_config(
        [
            "--region",
            "ap-south-1",
            "--account",
            "123456789012",
            "--controllable-clock",
            "--queue-deleted-recently",
            "--host",
            "0.0.0.0",
        ]
    )
    assert (config.region, config.account, config.host) == ("ap-south-1", "123456789012", "0.0.0.0")
    assert config.controllable_clock and config.enforce_recreate_delay


def test_queue_url_style_from_localstack_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQS_ENDPOINT_STRATEGY", "path")
    assert parse_config([]).queue_url_style == "path"
    monkeypatch.setenv("POSTHOUSE_QUEUE_URL_STYLE", "standard")
    assert parse_config([]).queue_url_style == "standard"
    assert parse_config(["--queue-url-style", "domain"]).queue_url_style == "domain"


@pytest.mark.parametrize(
    "argv", [["--port", "http"], ["--log-level", "loud"], ["--queue-url-style", "dynamic"]]
)
def test_bad_values_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_config(argv)
