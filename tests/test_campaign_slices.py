"""Bounded slices of the break-it campaign, run with the suite: the long-poll storm at 300 polls, the whole
malformed-input corpus (SQS and admin; Lambda's REST-JSON and SNS's query API, three passes over each
model), the slow clients at a quarter of the scripts numbers, three seconds of kill -9, and kill -9 twice
under an event-source mapping and Event invocations."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.campaign import lambda_corpus, lambda_crashes, sns_corpus
from tests.campaign.crashes import failed, run
from tests.campaign.malformed import SERVER_ARGS, replay
from tests.campaign.slow_clients import campaign, held_too_long
from tests.campaign.storm import storm
from tests.harness import ServerProcess


def test_storm_slice_every_poll_gets_exactly_one_message(server: ServerProcess) -> None:
    figures = asyncio.run(storm(server.url, polls=300, server_pid=None, limit_s=60))
    assert (figures["with_one_message"], figures["empty"], figures["duplicates"]) == (300, 0, 0)


def test_malformed_corpus_gets_no_5xx_and_only_parseable_replies(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data", *SERVER_ARGS).start() as server:
        figures = replay(server.url)
    assert figures["cases"] >= 10_000
    assert (figures["server_errors"], figures["problems"], figures["healthy_after"]) == (0, [], True)


def test_lambda_malformed_corpus_gets_no_5xx_and_only_parseable_replies(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data", "--in-memory").start() as server:
        figures = lambda_corpus.replay(server.url, rounds=3)
    assert figures["cases"] >= 6_000
    assert figures["problems"] == []
    assert not any(status >= 500 for status in figures["statuses"])


def test_sns_malformed_corpus_gets_no_5xx_and_everything_stored_reads_back(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data", "--in-memory").start() as server:
        figures = sns_corpus.replay(server.url, rounds=3)
    assert figures["cases"] >= 1_500
    assert figures["problems"] == []
    assert not any(status >= 500 for status in figures["statuses"])


def test_slow_clients_slice_all_cut_off_within_twice_the_timeout(tmp_path: Path) -> None:
    timeout_s = 1.0
    args = ("--head-timeout", str(timeout_s), "--body-timeout", str(timeout_s))
    with ServerProcess(tmp_path / "data", *args).start() as server:
        assert server.process is not None
        figures = asyncio.run(campaign(server.url, 50, 10, timeout_s, server.process.pid))
    assert not held_too_long(figures), figures
    assert figures["slowloris"]["answers"] == {"408": 50}
    assert figures["stalled_uploads_1_of_7_mib"]["answers"] == {"408": 10}
    assert figures["announced_15_mib"]["answers"] == {"413": 10}
    assert figures["huge_url_or_header_256_kib"]["answers"] == {"431": 20}


def test_crash_slice_loses_resurrects_duplicates_and_reorders_nothing(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data").start() as server:
        figures = asyncio.run(run(server, seconds=3, kills=2))
    assert figures["kills"] == 2 and figures["answered_sends"] > 0 and figures["dead_lettered_fifo"] > 0
    assert not failed(figures), figures


def test_lambda_crash_slice_loses_no_acknowledged_message_or_event(tmp_path: Path) -> None:
    figures = lambda_crashes.run(tmp_path / "data", messages=600, events=90, kills=2)
    assert figures["acknowledged"] >= 600
    assert (figures["lost"], figures["processed"]) == (0, figures["acknowledged"]), figures
