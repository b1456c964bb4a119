"""GET /metrics: the request metrics, then each service's figures named after the CloudWatch metrics users
watch, read from the running services at scrape time (queue depths in one read of the database)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from persistence.engine import COMMIT_BATCH_BUCKETS, COMMIT_SECONDS_BUCKETS
from server.admin.services import lambda_of, runtime_of, sns_of, sqs_of
from server.metrics import LATENCY_BUCKETS, MAX_SERIES, Family, capped, histogram, render
from server.runtime import Runtime
from server.services.lambda_.service import LambdaService
from server.services.sns.service import SnsService
from server.services.sqs.catalog import queue_arn
from server.services.sqs.service import SqsService

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OTHER_QUEUE = "_deleted"
"""A queue deleted since its counts were made."""


def _counter_families(
    prefix: str, label: str, names: dict[str, tuple[str, Callable[[str], float]]], keys: Iterable[str]
) -> list[Family]:
    """One counter family per CloudWatch-named figure, over the same (capped) resources."""
    keys = list(keys)
    return [
        Family(
            f"{prefix}_{name}", "counter", help_text, (label,), capped(((key,), read(key)) for key in keys)
        )
        for name, (help_text, read) in names.items()
    ]


def _counted(name: str, help_text: str, label: str, counts: Iterable[tuple[str, float]]) -> Family:
    """A counter family over one kind of resource (capped)."""
    return Family(name, "counter", help_text, (label,), capped(((key,), value) for key, value in counts))


def _request_families(runtime: Runtime, request: Request) -> list[Family]:
    metrics = request.app.state.gateway_metrics
    requests = Family(
        "posthouse_requests",
        "counter",
        "AWS API requests answered, by service, operation and HTTP status",
        ("service", "operation", "status"),
        [
            ((service, operation, str(status)), count)
            for ((service, operation), status), count in metrics.counts.items()
        ],
    )
    latency = Family(
        "posthouse_request_duration_seconds",
        "histogram",
        "Time to answer an AWS API request, by service and operation",
        ("service", "operation"),
        [
            (key, histogram(LATENCY_BUCKETS, [int(n) for n in latency[1:]], latency[0]))
            for key, latency in metrics.latency.items()
        ],
    )
    commits = runtime.db.commits
    return [
        requests,
        latency,
        Family(
            "posthouse_db_commit_batch_size",
            "histogram",
            "Operations carried by each group commit",
            (),
            [((), histogram(COMMIT_BATCH_BUCKETS, commits.batches, float(commits.operations)))],
        ),
        Family(
            "posthouse_db_commit_duration_seconds",
            "histogram",
            "Time each group commit took",
            (),
            [((), histogram(COMMIT_SECONDS_BUCKETS, commits.seconds, commits.total_seconds))],
        ),
    ]


async def _sqs_families(sqs: SqsService) -> list[Family]:
    queues = sqs.catalog.all()
    shown = queues[:MAX_SERIES]
    now_ms = sqs.clock.now_ms()
    figures = await sqs.messaging.read_gauges([q.id for q in shown], now_ms)
    name_of = {q.id: queue_arn(q) for q in queues}
    gauges: dict[str, tuple[str, Callable[[Any], float]]] = {
        "approximate_number_of_messages_visible": (
            "ApproximateNumberOfMessagesVisible",
            lambda f: f[0].visible,
        ),
        "approximate_number_of_messages_not_visible": (
            "ApproximateNumberOfMessagesNotVisible",
            lambda f: f[0].in_flight,
        ),
        "approximate_number_of_messages_delayed": (
            "ApproximateNumberOfMessagesDelayed",
            lambda f: f[0].delayed,
        ),
        "approximate_age_of_oldest_message_seconds": (
            "ApproximateAgeOfOldestMessage, in seconds",
            lambda f: 0 if f[1] is None else max(0, now_ms - f[1]) / 1000,
        ),
    }
    families = [
        Family(
            f"posthouse_sqs_{name}",
            "gauge",
            help_text,
            ("queue",),
            [((name_of[i],), read(f)) for i, f in figures.items()],
        )
        for name, (help_text, read) in gauges.items()
    ]
    stats = sqs.messaging.stats
    counters = {
        "number_of_messages_sent": ("NumberOfMessagesSent since start", stats.sent),
        "number_of_messages_received": ("NumberOfMessagesReceived since start", stats.received),
        "number_of_messages_deleted": ("NumberOfMessagesDeleted since start", stats.deleted),
        "number_of_empty_receives": ("NumberOfEmptyReceives since start", stats.empty_receives),
    }
    for name, (help_text, counter) in counters.items():
        counts = ((name_of.get(queue_id, OTHER_QUEUE), count) for queue_id, count in counter.items())
        families.append(_counted(f"posthouse_sqs_{name}", help_text, "queue", counts))
    families.append(
        Family(
            "posthouse_sqs_receives_waiting",
            "gauge",
            "Long polls parked now, every queue together",
            (),
            [((), sqs.waiters.all_waiting())],
        )
    )
    return families


def _sns_families(sns: SnsService) -> list[Family]:
    stats = sns.stats
    names = {
        "number_of_messages_published": ("NumberOfMessagesPublished since start", stats.published),
        "number_of_notifications_delivered": ("NumberOfNotificationsDelivered since start", stats.delivered),
        "number_of_notifications_failed": ("NumberOfNotificationsFailed since start", stats.failed),
        "number_of_notifications_filtered_out": (
            "NumberOfNotificationsFilteredOut since start",
            stats.filtered_out,
        ),
        "number_of_notifications_redriven_to_dlq": (
            "NumberOfNotificationsRedrivenToDlq since start",
            stats.redriven,
        ),
    }
    return [
        _counted(f"posthouse_sns_{name}", help_text, "topic", counter.items())
        for name, (help_text, counter) in names.items()
    ]


def _lambda_families(service: LambdaService) -> list[Family]:
    counts = service.activity.counts
    running = service.invoker.running()
    functions = sorted(set(counts) | set(running))
    families = _counter_families(
        "posthouse_lambda",
        "function",
        {
            "invocations": ("Invocations since start", lambda f: counts[f].invocations if f in counts else 0),
            "errors": (
                "Errors (invocations that raised or failed) since start",
                lambda f: counts[f].errors if f in counts else 0,
            ),
            "throttles": ("Throttles since start", lambda f: counts[f].throttles if f in counts else 0),
            "duration_seconds": (
                "Duration of every invocation together",
                lambda f: counts[f].duration_ms / 1000 if f in counts else 0,
            ),
        },
        functions,
    )
    families.append(
        Family(
            "posthouse_lambda_concurrent_executions",
            "gauge",
            "ConcurrentExecutions now",
            ("function",),
            capped(((f,), running.get(f, 0)) for f in functions),
        )
    )
    mappings = service.activity.mappings
    for name, help_text in (
        ("invocations", "Invocations by each event-source mapping since start"),
        ("errors", "Batches whose invocation failed, by mapping"),
        ("throttles", "Batches throttled, by mapping"),
    ):
        per_mapping = ((uuid, activity.counts[name]) for uuid, activity in mappings.items())
        families.append(_counted(f"posthouse_lambda_mapping_{name}", help_text, "mapping", per_mapping))
    families.append(
        _counted(
            "posthouse_lambda_mapping_duration_seconds",
            "Duration of every batch each mapping ran, together",
            "mapping",
            ((uuid, activity.duration_ms_total / 1000) for uuid, activity in mappings.items()),
        )
    )
    families.append(
        Family(
            "posthouse_lambda_mapping_concurrent_executions",
            "gauge",
            "Batches each mapping runs now",
            ("mapping",),
            capped(((uuid,), activity.in_flight) for uuid, activity in mappings.items()),
        )
    )
    return families


async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    families = _request_families(runtime_of(request), request)
    families += await _sqs_families(sqs_of(request))
    families += _sns_families(sns_of(request))
    families += _lambda_families(lambda_of(request))
    return Response(render(families), media_type=CONTENT_TYPE)
