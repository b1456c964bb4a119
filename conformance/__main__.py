"""python -m conformance --endpoint URL [--region R] [--report FILE.md] [--local] [pytest options]

Runs every check against the endpoint and, with --report, writes FILE.md and FILE.json. --local starts a
Posthouse of this checkout (in memory, controllable clock) on a free port and checks that instead.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STARTUP_SECONDS = 30


@contextmanager
def local_posthouse() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "server", "--in-memory", "--controllable-clock", "--port", str(port)]
    server = subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url + "/ready", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("Posthouse did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(15)


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
