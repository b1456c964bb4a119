"""Bounded slices of the break-it campaign, run with the suite: the long-poll storm at 300 polls, the whole
malformed-input corpus."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.campaign.malformed import SERVER_ARGS, replay
from tests.campaign.storm import storm
from tests.harness import ServerProcess


def test_storm_slice_every_poll_gets_exactly_one_message(server: ServerProcess) -> None:
    figures = asyncio.run(storm(server.url, polls=300, server_pid=None, limit_s=60))
    assert (figures["with_one_message"], figures["empty"], figures["duplicates"]) == (300, 0, 0)


def test_malformed_corpus_gets_no_5xx_and_only_parseable_replies(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", *SERVER_ARGS).start()
    try:
        figures = replay(server.url)
    finally:
        server.stop()
    assert figures["cases"] >= 10_000
    assert (figures["server_errors"], figures["problems"], figures["healthy_after"]) == (0, [], True)
