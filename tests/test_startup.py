"""Start-up stays fast: what only some requests need (cryptography for SNS signatures, httpx for outbound
deliveries) is imported when first needed, and importing the server stays within a budget."""

from __future__ import annotations

import subprocess
import sys

from tests.harness import REPO

LAZY = ("cryptography", "httpx")
IMPORT_BUDGET_S = 0.8
"""About three times what `import server.cli` takes on the 2-core machines (0.21-0.25 s): a regression that
brings a heavy import back to start-up trips it, machine noise does not."""

STARTS_AND_STOPS = """
import asyncio, sys
from server.cli import parse_config
from server.app import create_app

app = create_app(parse_config(["--in-memory"]))
runtime = app.state.runtime

async def main():
    await runtime.start()
    await runtime.stop()

asyncio.run(main())
print(",".join(name for name in {lazy!r} if name in sys.modules))
"""


def test_a_started_server_has_not_imported_what_only_some_requests_need() -> None:
    script = STARTS_AND_STOPS.format(lazy=LAZY)
    ran = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == ""


def test_importing_the_server_stays_within_its_budget() -> None:
    timings = []
    for _ in range(3):
        ran = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import server.cli"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        last = ran.stderr.strip().splitlines()[-1]  # the outermost import: server.cli, cumulative
        assert last.endswith("server.cli")
        timings.append(int(last.split("|")[1]) / 1e6)
    assert min(timings) < IMPORT_BUDGET_S, timings
