"""Reading a seed document: YAML (JSON is YAML too), checked against schema.json, every item kept with the
line it starts on, so that a mistake, found now or when the item is created, names its line."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("schema.json")


class SeedError(Exception):
    """What is wrong with a seed, in one line that names the source and the line."""


@dataclass(frozen=True)
class Item:
    data: dict[str, Any]
    line: int


@dataclass
class Seed:
    source: str
    """The file, or `POSTHOUSE_SEED` for an inline document."""
    base_dir: str
    """Where relative `code` folders are found."""
    region: str | None = None
    account: str | None = None
    queues: list[Item] = field(default_factory=list)
    topics: list[Item] = field(default_factory=list)
    functions: list[Item] = field(default_factory=list)
    mappings: list[Item] = field(default_factory=list)

    def error(self, item: Item | int, problem: str) -> SeedError:
        line = item if isinstance(item, int) else item.line
        return SeedError(f"{self.source} line {line}: {problem}")


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return loaded


def read(source: str, text: str, base_dir: str | None = None) -> Seed:
    """The seed `text` holds; SeedError (naming `source` and the line) when it is not one."""
    import jsonschema
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        raise SeedError(f"{source} line {line}: not YAML or JSON: {reason}") from None
    seed = Seed(source, base_dir or os.getcwd())
    if document is None:
        return seed
    validator = jsonschema.Draft202012Validator(schema())
    for problem in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        where = ".".join(str(part) for part in problem.absolute_path) or "the document"
        raise seed.error(_line(root, problem.absolute_path), f"{where}: {problem.message}")
    seed.region, seed.account = document.get("region"), document.get("account")
    for key, found in (
        ("queues", seed.queues),
        ("topics", seed.topics),
        ("functions", seed.functions),
        ("event_source_mappings", seed.mappings),
    ):
        for index, data in enumerate(document.get(key, [])):
            found.append(Item(data, _line(root, [key, index])))
    return seed


def _line(node: Any, path: Iterable[str | int]) -> int:
    """The line (from 1) where the value at `path` starts; as deep as the document goes."""
    import yaml

    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = [value for key, value in node.value if key.value == str(part)]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = [node.value[part]]
        else:
            found = []
        if not found:
            break
        node = found[0]
    return int(node.start_mark.line) + 1
