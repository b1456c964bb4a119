"""What operators see of Lambda at work (kept in memory, bounded): each function's latest invocations, and
each event-source mapping's counters — polls, batches, records, filtered out, invocations, errors,
throttles, batch durations (p50/p99), batches in flight now and at most."""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

KEPT_INVOCATIONS = 100
KEPT_DURATIONS = 1000


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)


class MappingActivity:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.durations: deque[float] = deque(maxlen=KEPT_DURATIONS)
        self.in_flight = 0
        self.most_in_flight = 0
        self.duration_ms_total = 0.0
        """Every batch's duration together (for the metrics; `durations` keeps only the latest)."""
        self.oldest_age_ms: int | None = None
        """Age of the oldest message of the latest batch, when it was received."""

    def started(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def finished(self, duration_ms: float) -> None:
        self.in_flight -= 1
        self.durations.append(duration_ms)
        self.duration_ms_total += duration_ms

    def view(self) -> dict[str, Any]:
        durations = list(self.durations)
        return {
            **{
                name: self.counts[name] for name in ("polls", "batches", "records", "filtered", "invocations")
            },
            **{name: self.counts[name] for name in ("errors", "throttles")},
            "duration_ms_p50": _percentile(durations, 0.5),
            "duration_ms_p99": _percentile(durations, 0.99),
            "concurrency_now": self.in_flight,
            "concurrency_max": self.most_in_flight,
            "oldest_message_age_ms": self.oldest_age_ms,
        }


class FunctionCounts:
    """CloudWatch's Invocations, Errors, Throttles and Duration of one function, since the server started."""

    def __init__(self) -> None:
        self.invocations = 0
        self.errors = 0
        self.throttles = 0
        self.duration_ms = 0.0


class Activity:
    def __init__(self) -> None:
        self.invocations: dict[str, deque[dict[str, Any]]] = {}
        self.mappings: dict[str, MappingActivity] = {}
        self.counts: dict[str, FunctionCounts] = {}

    def invoked(self, function_arn: str, entry: dict[str, Any]) -> None:
        self.invocations.setdefault(function_arn, deque(maxlen=KEPT_INVOCATIONS)).append(entry)
        counts = self.of_function(function_arn)
        counts.invocations += 1
        counts.errors += entry["error_type"] is not None
        counts.duration_ms += entry["duration_ms"]

    def of_function(self, function_arn: str) -> FunctionCounts:
        return self.counts.setdefault(function_arn, FunctionCounts())

    def of_mapping(self, uuid: str) -> MappingActivity:
        return self.mappings.setdefault(uuid, MappingActivity())

    def forget_all(self) -> None:
        self.invocations.clear()
        self.mappings.clear()
        self.counts.clear()
