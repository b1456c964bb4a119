"""Compatibility report: one row per behaviour, one column per client, as markdown and JSON.

A check's behaviour is its `behaviour` marker or the first line of its docstring (plus the parametrized case);
its client is the `sqs` or `sts` fixture's parameter
(`json`, `query`, `boto3`) or its `client` marker (`aws-cli`, `js-v3`). `--report FILE.md` writes FILE.md and FILE.json.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

CLIENT_TITLES = {
    "json": "boto3 (JSON 1.0)",
    "query": "botocore 1.31 (query)",
    "aws-cli": "AWS CLI",
    "js-v3": "JS SDK v3",
    "boto3": "boto3 (query: STS, SNS, IAM; REST-JSON: Lambda)",
}
MARKS = {"passed": "pass", "failed": "**FAIL**", "skipped": "skip"}


@dataclass
class Row:
    area: str
    behaviour: str
    client: str
    outcome: str
    detail: str = ""


def _client(item: pytest.Item) -> str:
    marker = item.get_closest_marker("client")
    if marker is not None:
        return str(marker.args[0])
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return "json"
    return str(callspec.params.get("sqs") or callspec.params.get("sts") or "json")


def _case(item: pytest.Item) -> str:
    """The parametrized case of a check, without the client: `[json-too-many]` -> `too-many`."""
    if "[" not in item.name:
        return ""
    parts = item.name.split("[", 1)[1].rstrip("]").split("-")
    while parts and parts[0] in CLIENT_TITLES:
        parts.pop(0)
    while parts and parts[-1] in CLIENT_TITLES:
        parts.pop()
    return "-".join(parts)


def _behaviour(item: pytest.Item) -> str:
    named = item.get_closest_marker("behaviour")
    if named is not None:
        return str(named.args[0])
    doc = getattr(item, "function", None) and item.function.__doc__  # type: ignore[attr-defined]
    behaviour = (doc or item.name).strip().splitlines()[0].rstrip(".")
    case = _case(item)
    return f"{behaviour}: `{case}`" if case else behaviour


def _area(item: pytest.Item) -> str:
    path = Path(str(item.path))
    return f"{path.parent.name.upper().rstrip('_')} · {path.stem.removeprefix('test_').replace('_', ' ')}"


class Collector:
    """A pytest plugin: notes every check's outcome, writes the report when the session ends."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.rows: dict[str, Row] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if report.when == "call" or report.outcome != "passed":
            detail = ""
            if report.failed:
                crash = getattr(report.longrepr, "reprcrash", None)
                detail = (crash.message if crash else str(report.longrepr)).strip().splitlines()[0][:300]
            elif report.skipped and isinstance(report.longrepr, tuple):
                detail = str(report.longrepr[2])
            previous = self.rows.get(item.nodeid)
            if previous is None or previous.outcome == "passed":  # a failing teardown still fails the check
                self.rows[item.nodeid] = Row(
                    _area(item), _behaviour(item), _client(item), report.outcome, detail
                )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        target = self.config.getoption("--report")
        if target:
            endpoint = str(self.config.getoption("--endpoint"))
            write(Path(target), list(self.rows.values()), endpoint)


def summary(rows: list[Row], clients: list[str]) -> list[str]:
    """Checks passed of checks run, per area and client."""
    lines = [
        "| area | " + " | ".join(CLIENT_TITLES[c] for c in clients) + " |",
        "| --- | " + " | ".join("---" for _ in clients) + " |",
    ]
    for area in dict.fromkeys(r.area for r in rows):
        cells = []
        for client in clients:
            ran = [r for r in rows if r.area == area and r.client == client and r.outcome != "skipped"]
            cells.append(f"{sum(r.outcome == 'passed' for r in ran)}/{len(ran)}" if ran else "n/a")
        lines.append(f"| {area} | " + " | ".join(cells) + " |")
    return lines


def write(markdown_path: Path, rows: list[Row], endpoint: str) -> None:
    clients = [c for c in CLIENT_TITLES if any(r.client == c for r in rows)]
    table: dict[tuple[str, str], dict[str, Row]] = {}
    for row in rows:
        table.setdefault((row.area, row.behaviour), {})[row.client] = row
    counts = {outcome: sum(r.outcome == outcome for r in rows) for outcome in MARKS}
    lines = [
        "# Conformance report",
        "",
        f"Endpoint `{endpoint}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped.",
        "",
        *summary(rows, clients),
        "",
        "| area | behaviour | " + " | ".join(CLIENT_TITLES[c] for c in clients) + " |",
        "| --- | --- | " + " | ".join("---" for _ in clients) + " |",
    ]
    for (area, behaviour), by_client in table.items():
        cells = [MARKS[by_client[c].outcome] if c in by_client else "n/a" for c in clients]
        lines.append(f"| {area} | {behaviour} | " + " | ".join(cells) + " |")
    failures = [r for r in rows if r.outcome == "failed"]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [f"- {r.area} · {r.behaviour} ({CLIENT_TITLES[r.client]}): {r.detail}" for r in failures]
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = {"endpoint": endpoint, "counts": counts, "results": [asdict(r) for r in rows]}
    markdown_path.with_suffix(".json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
