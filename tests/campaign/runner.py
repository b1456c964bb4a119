"""What every campaign script shares: a Posthouse to aim at (the one given, or a fresh one of this checkout) and
a look at its memory."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.harness import ServerProcess


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def target(endpoint: str | None, *server_args: str) -> Iterator[tuple[str, int | None]]:
    """(endpoint, server pid): `endpoint` as given (pid unknown), or a file-backed server in a temporary folder."""
    if endpoint:
        yield endpoint, None
        return
    with (
        tempfile.TemporaryDirectory() as folder,
        ServerProcess(Path(folder) / "data", *server_args).start() as server,
    ):
        assert server.process is not None
        yield server.url, server.process.pid
