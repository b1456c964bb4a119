"""The architecture's dependency rules, checked on the source: layers only depend downward."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def modules(package: str) -> Iterator[tuple[Path, set[str]]]:
    for path in sorted((REPO / package).rglob("*.py")):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        yield path, imported


def uses(imported: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in imported)


@pytest.mark.parametrize(
    "forbidden", ["starlette", "uvicorn", "server.protocols", "server.gateway", "server.admin"]
)
def test_services_know_no_http_or_wire(forbidden: str) -> None:
    offenders = [p.name for p, imported in modules("server/services") if uses(imported, forbidden)]
    assert offenders == []


def test_persistence_never_imports_server() -> None:
    assert [p.name for p, imported in modules("persistence") if uses(imported, "server")] == []


def test_only_the_clock_reads_time() -> None:
    readers = (
        "time.time",
        "time.sleep",
        "asyncio.sleep",
        "datetime.now",
        "datetime.utcnow",
        "time.monotonic",
    )
    offenders = []
    for package in ("server", "persistence"):
        for path in (REPO / package).rglob("*.py"):
            if path.name != "clock.py" and any(reader in path.read_text() for reader in readers):
                offenders.append(path.name)
    assert offenders == []
