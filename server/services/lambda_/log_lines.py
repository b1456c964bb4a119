"""An invocation's log as Lambda writes it: START, the function's own lines, END and REPORT (shown by
`LogType=Tail` and stored in CloudWatch Logs under `/aws/lambda/<function>`)."""

from __future__ import annotations

import datetime


def invocation_log(log: str, request_id: str, version: str, duration_ms: float, memory: int) -> str:
    billed = max(1, round(duration_ms))
    return (
        f"START RequestId: {request_id} Version: {version}\n{log}END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed}"
        f" ms\tMemory Size: {memory} MB\tMax Memory Used: {memory} MB\t\n"
    )


def stream_name(now_ms: int, version: str, instance: str) -> str:
    """A log stream per execution environment, named as Lambda names them: `2026/12/06/[$LATEST]<id>`."""
    day = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{instance}"
