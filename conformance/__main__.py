"""python -m conformance --endpoint URL [--region R] [--report FILE.md] [--local] [pytest options]

Runs every check against the endpoint and, with --report, writes FILE.md and FILE.json. --local starts a
Posthouse of this checkout (in memory, controllable clock) on a free port and checks that instead.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.harness import ServerProcess

HERE = Path(__file__).resolve().parent


@contextmanager
def local_posthouse() -> Iterator[str]:
    """The unit tests' launcher, in memory: its data directory only holds the server's log."""
    with tempfile.TemporaryDirectory() as scratch:
        server = ServerProcess(Path(scratch) / "data", "--in-memory", "--controllable-clock").start()
        try:
            yield server.url
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__.split("\n\n")[1])
    parser.add_argument("--endpoint", help="base URL of the endpoint under test")
    parser.add_argument("--local", action="store_true", help="start a local Posthouse and check it")
    args, pytest_args = parser.parse_known_args(argv)
    if bool(args.endpoint) == args.local:
        parser.error("give exactly one of --endpoint URL and --local")
    with local_posthouse() if args.local else _given(args.endpoint) as url:
        return int(pytest.main([str(HERE), "-p", "no:cacheprovider", "--endpoint", url, *pytest_args]))


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    sys.exit(main())
