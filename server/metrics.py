"""Prometheus metrics at /metrics. The hot path only bumps plain counters (one dict update and a bucket
increment per request); everything else is read, and turned into Prometheus families with prometheus-client,
when a scraper asks.

Resources are labelled by ARN (queue, topic, function) or UUID (mapping). Per-resource series are capped at
MAX_SERIES each; past the cap the rest are added up under the label value `_other`, so a thousand-queue test run
cannot blow up a scraper."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_SERIES = 500
OTHER = "_other"
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0)


class RequestMetrics:
    """Requests by (service, operation) and status, and their latency by (service, operation)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[tuple[str, str], int], int] = {}
        self.latency: dict[tuple[str, str], list[float]] = {}
        """(service, operation) -> [total seconds, then a count per bucket of LATENCY_BUCKETS, then +Inf]."""

    def observe(self, operation: tuple[str, str] | None, status: int, seconds: float) -> None:
        if operation is None:
            return
        key = (operation, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        latency = self.latency.get(operation)
        if latency is None:
            latency = self.latency[operation] = [0.0] * (len(LATENCY_BUCKETS) + 2)
        latency[0] += seconds
        latency[1 + bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1


@dataclass
class Family:
    """One metric and its samples, before prometheus-client renders it."""

    name: str
    kind: str  # counter, gauge or histogram
    help: str
    labels: tuple[str, ...]
    samples: list[tuple[tuple[str, ...], Any]] = field(default_factory=list)


def capped(values: Iterable[tuple[tuple[str, ...], float]]) -> list[tuple[tuple[str, ...], float]]:
    """The first MAX_SERIES label sets as they are, the rest added up under `_other` labels."""
    kept: dict[tuple[str, ...], float] = {}
    for labels, value in values:
        if labels in kept or len(kept) < MAX_SERIES:
            kept[labels] = kept.get(labels, 0) + value
        else:
            other = tuple(OTHER for _ in labels)
            kept[other] = kept.get(other, 0) + value
    return list(kept.items())


def histogram(
    buckets: tuple[float, ...], counts: list[int], total: float
) -> tuple[list[tuple[str, int]], float]:
    """Cumulative buckets as Prometheus wants them (`le` text, count so far), and the sum."""
    cumulative, running = [], 0
    for bound, count in zip([*map(str, buckets), "+Inf"], counts, strict=True):
        running += count
        cumulative.append((bound, running))
    return cumulative, total


def render(families: list[Family]) -> bytes:
    """The text exposition format, by prometheus-client (imported at the first scrape)."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

    class _Snapshot:
        def collect(self) -> Iterator[Any]:
            kinds = {"counter": CounterMetricFamily, "gauge": GaugeMetricFamily}
            for family in families:
                if family.kind == "histogram":
                    metric: Any = HistogramMetricFamily(family.name, family.help, labels=family.labels)
                    for labels, (buckets, total) in family.samples:
                        metric.add_metric(labels, buckets, total)
                else:
                    metric = kinds[family.kind](family.name, family.help, labels=family.labels)
                    for labels, value in family.samples:
                        metric.add_metric(labels, value)
                yield metric

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot())
    return bytes(generate_latest(registry))
