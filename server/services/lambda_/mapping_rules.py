"""What CreateEventSourceMapping and UpdateEventSourceMapping accept for SQS sources (AWS's checks and
texts, in AWS's order), the filter patterns they carry, and the mapping object AWS answers."""

from __future__ import annotations

from typing import Any

from persistence.records import MappingRecord, QueueRecord
from server.services.filter_operators import PolicyError
from server.services.filter_policy import Policy, compile_policy
from server.services.lambda_.errors import invalid_value

DEFAULTS: dict[str, Any] = {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 0, "Enabled": True}
STREAM_ONLY = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
)
MAX_FILTERS = 5
SETTABLE = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "Enabled",
    "FilterCriteria",
    "FunctionResponseTypes",
    "ScalingConfig",
    "MetricsConfig",
)


def checked(wanted: dict[str, Any], queue: QueueRecord | None, function_timeout: int) -> dict[str, Any]:
    """A mapping's settings after a create or update (`wanted` merged over what it had), checked."""
    if "DestinationConfig" in wanted:
        raise invalid_value("Unsupported DestinationConfig parameter for given event source mapping type.")
    for name in STREAM_ONLY:
        if wanted.get(name) is not None:
            raise invalid_value(f"Unsupported {name} parameter for given event source mapping type.")
    batch_size, window = wanted["BatchSize"], wanted["MaximumBatchingWindowInSeconds"]
    fifo = queue is not None and queue.fifo
    if not isinstance(batch_size, int) or not 1 <= batch_size <= (10 if fifo else 10000):
        raise invalid_value(f"BatchSize must be between 1 and {10 if fifo else 10000}.")
    if not isinstance(window, int) or not 0 <= window <= 300:
        raise invalid_value("MaximumBatchingWindowInSeconds must be between 0 and 300.")
    if batch_size > 10 and window == 0:
        raise invalid_value(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        )
    types = wanted.get("FunctionResponseTypes") or []
    if types not in ([], ["ReportBatchItemFailures"]):
        raise invalid_value("FunctionResponseTypes can only be ReportBatchItemFailures.")
    if fifo and window > 0:
        raise invalid_value("Invalid request provided: Batching window is not supported for FIFO queues")
    scaling = wanted.get("ScalingConfig") or {}
    if not isinstance(scaling, dict):
        raise invalid_value('ScalingConfig must be an object, such as {"MaximumConcurrency": 2}.')
    maximum = scaling.get("MaximumConcurrency")
    if maximum is not None and (not isinstance(maximum, int) or not 2 <= maximum <= 1000):
        raise invalid_value("MaximumConcurrency must be between 2 and 1000.")
    patterns(wanted)
    if queue is not None:
        visibility = int(queue.attributes["VisibilityTimeout"])
        if visibility < function_timeout:
            raise invalid_value(
                f"Queue visibility timeout: {visibility} seconds is less than Function timeout:"
                f" {function_timeout} seconds"
            )
    return {name: wanted[name] for name in SETTABLE if wanted.get(name) is not None} | {
        "FunctionResponseTypes": types
    }


def patterns(configuration: dict[str, Any]) -> list[Policy]:
    """The compiled filter patterns (ORed); none means every message goes to the function."""
    criteria = configuration.get("FilterCriteria")
    if not criteria:
        return []
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    if not isinstance(filters, list) or len(filters) > MAX_FILTERS:
        raise invalid_value("Invalid filter pattern definition.")
    compiled = []
    for entry in filters:
        pattern = entry.get("Pattern") if isinstance(entry, dict) else None
        try:
            policy = compile_policy(pattern, body_scope=True) if isinstance(pattern, str) else None
        except PolicyError:
            policy = None
        if policy is None:
            raise invalid_value("Invalid filter pattern definition.")
        compiled.append(policy)
    return compiled


def view(mapping: MappingRecord, state: str | None = None) -> dict[str, Any]:
    configuration = dict(mapping.configuration)
    enabled = configuration.pop("Enabled", True)
    return {
        "UUID": mapping.uuid,
        "BatchSize": configuration.pop("BatchSize"),
        "MaximumBatchingWindowInSeconds": configuration.pop("MaximumBatchingWindowInSeconds"),
        "EventSourceArn": mapping.source_arn,
        "FunctionArn": mapping.function_arn,
        "LastModified": configuration.pop("LastModified"),
        "State": state or ("Enabled" if enabled else "Disabled"),
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": configuration.pop("FunctionResponseTypes", []),
        "EventSourceMappingArn": (
            f"arn:aws:lambda:{mapping.region}:{mapping.account}:event-source-mapping:{mapping.uuid}"
        ),
        **configuration,
    }
