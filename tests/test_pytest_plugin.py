"""The pytest plugin, as a user's project uses it: a suite with no conftest of this repository, only the
plugin's fixtures (installed by `pip install .` through the pytest11 entry point), passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).parent / "plugin_suite"


def test_a_suite_using_only_the_plugin_passes() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(SUITE),
            "--noconftest",
            "-p",
            "no:cacheprovider",
            "-o",
            "python_files=example_*.py",
            "-o",
            "addopts=",
            "-q",
        ],
        cwd=SUITE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
