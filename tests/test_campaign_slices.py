"""Bounded slices of the break-it campaign, run with the suite: the long-poll storm at 300 polls."""

from __future__ import annotations

import asyncio

from tests.campaign.storm import storm
from tests.harness import ServerProcess


def test_storm_slice_every_poll_gets_exactly_one_message(server: ServerProcess) -> None:
    figures = asyncio.run(storm(server.url, polls=300, server_pid=None, limit_s=60))
    assert (figures["with_one_message"], figures["empty"], figures["duplicates"]) == (300, 0, 0)
