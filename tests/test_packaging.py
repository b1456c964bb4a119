"""What `pip install posthouse` (not editable) ships: every file the server reads at run time, not only the
Python modules. Each non-Python file of the packages must be declared as package data in pyproject.toml (the
Docker image is such an install: without the declaration its Node.js workers had no bootstrap)."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import PurePosixPath

from tests.harness import REPO

_TOOLING = {"ruff.toml"}  # lint settings, not read at run time


def test_every_non_python_file_of_the_packages_is_package_data() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    tracked = subprocess.run(
        ["git", "ls-files", "server", "persistence"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    unshipped = []
    for name in tracked:
        path = PurePosixPath(name)
        if path.suffix == ".py" or path.name in _TOOLING:
            continue
        owners = [owner for owner in declared if path.is_relative_to(PurePosixPath(*owner.split(".")))]
        inside = [str(path.relative_to(PurePosixPath(*owner.split(".")))) for owner in owners]
        patterns = [pattern for owner in owners for pattern in declared[owner]]
        if not any(fnmatch.fnmatch(part, pattern) for part in inside for pattern in patterns):
            unshipped.append(name)
    assert unshipped == []
