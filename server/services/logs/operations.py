"""CloudWatch Logs operations (AWS JSON 1.1, `Logs_20140328`): groups, streams, events in and out, filtering,
retention and tags, as applications, test suites and `aws logs` call them."""

from __future__ import annotations

from typing import Any

from persistence import logs as rows
from persistence.logs import LogEvent, LogGroup
from server.context import RequestContext
from server.services.logs.errors import invalid
from server.services.logs.filter_pattern import compile_pattern
from server.services.logs.service import LogsService
from server.services.params import Params

Result = dict[str, Any]
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
MAX_EVENTS = 10_000
SCAN = 10_000
"""Events read at most per FilterLogEvents or GetLogEvents call (a page)."""


def _group_arn(group: LogGroup) -> str:
    return f"arn:aws:logs:{group.region}:{group.account}:log-group:{group.name}"


def _group_view(group: LogGroup, stored: int) -> Result:
    view: Result = {
        "logGroupName": group.name,
        "creationTime": group.created_ms,
        "metricFilterCount": 0,
        "arn": _group_arn(group) + ":*",
        "logGroupArn": _group_arn(group),
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
    }
    if group.retention_days:
        view["retentionInDays"] = group.retention_days
    return view


def _group(logs: LogsService, params: Params, ctx: RequestContext) -> LogGroup:
    name = params.text("logGroupName") or params.text("logGroupIdentifier") or ""
    if name.startswith("arn:"):
        name = name.split(":log-group:", 1)[-1].removesuffix(":*")
    if not name:
        raise invalid(
            "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint"
        )
    return logs.group(ctx.account, ctx.region, name)


def _limit(params: Params, maximum: int, default: int) -> int:
    limit = params.integer("limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise invalid(f"limit must be between 1 and {maximum}")
    return limit


def _paged(items: list[Any], params: Params, key: str, limit: int) -> tuple[list[Any], str | None]:
    token = params.text("nextToken")
    if token:
        items = [item for item in items if str(item[key]) > token]
    page = items[:limit]
    return page, (str(page[-1][key]) if len(items) > limit else None)


async def create_log_group(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    name = params.required_text("logGroupName")
    if not 1 <= len(name) <= 512:
        raise invalid("Log group name must be between 1 and 512 characters")
    await logs.create_group(ctx.account, ctx.region, name, params.text_map("tags"))
    return {}


async def delete_log_group(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    await logs.delete_group(_group(logs, params, ctx))
    return {}


async def describe_log_groups(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    prefix = params.text("logGroupNamePrefix") or ""
    pattern = params.text("logGroupNamePattern") or ""
    stored = await logs.db.read(rows.stored_bytes)
    groups = [
        _group_view(g, stored.get(g.id, 0))
        for g in logs.groups(ctx.account, ctx.region)
        if g.name.startswith(prefix) and pattern in g.name
    ]
    page, token = _paged(groups, params, "logGroupName", _limit(params, 50, 50))
    return {"logGroups": page} | ({"nextToken": token} if token else {})


async def create_log_stream(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    await logs.create_stream(_group(logs, params, ctx), params.required_text("logStreamName"))
    return {}


async def delete_log_stream(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    await logs.delete_stream(logs.stream(group, params.required_text("logStreamName")))
    return {}


async def describe_log_streams(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    summaries = await logs.db.read(lambda conn: rows.stream_summaries(conn, group.id))
    prefix = params.text("logStreamNamePrefix") or ""
    order = params.text("orderBy") or "LogStreamName"
    if order == "LastEventTime" and prefix:
        raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
    streams = []
    for stream in logs.streams(group):
        if not stream.name.startswith(prefix):
            continue
        view: Result = {
            "logStreamName": stream.name,
            "creationTime": stream.created_ms,
            "arn": f"{_group_arn(group)}:log-stream:{stream.name}",
            "storedBytes": 0,
        }
        if stream.id in summaries:
            first, last, ingested, size = summaries[stream.id]
            view |= {"firstEventTimestamp": first, "lastEventTimestamp": last, "lastIngestionTime": ingested}
            view["storedBytes"] = size
        streams.append(view)
    if order == "LastEventTime":
        streams.sort(key=lambda v: (v.get("lastEventTimestamp", 0), v["logStreamName"]))
    if params.boolean("descending"):
        streams.reverse()
    limit = _limit(params, 50, 50)
    start = int(params.text("nextToken") or 0) if (params.text("nextToken") or "0").isdigit() else 0
    page = streams[start : start + limit]
    result: Result = {"logStreams": page}
    if start + limit < len(streams):
        result["nextToken"] = str(start + limit)
    return result


async def put_log_events(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    stream = logs.stream(group, params.required_text("logStreamName"))
    entries = params.entries("logEvents")
    if not 1 <= len(entries) <= MAX_EVENTS:
        raise invalid(f"logEvents must hold 1 to {MAX_EVENTS} events")
    now_ms = logs.clock.now_ms()
    events: list[tuple[int, str]] = []
    too_old = too_new = None
    for index, entry in enumerate(entries):
        timestamp, message = entry.integer("timestamp"), entry.text("message")
        if timestamp is None or message is None:
            raise invalid("Each log event needs a timestamp and a message")
        if timestamp < now_ms - 14 * 86_400_000:
            too_old = index
        elif timestamp > now_ms + 2 * 3_600_000:
            too_new = index if too_new is None else too_new
        else:
            events.append((timestamp, message))
    if events:
        await logs.put(group, stream, sorted(events, key=lambda e: e[0]))
    result: Result = {"nextSequenceToken": str(now_ms).rjust(56, "0")}
    rejected = {}
    if too_old is not None:
        rejected["tooOldLogEventEndIndex"] = too_old
    if too_new is not None:
        rejected["tooNewLogEventStartIndex"] = too_new
    if rejected:
        result["rejectedLogEventsInfo"] = rejected
    return result


def _time_range(params: Params) -> tuple[int, int]:
    start, end = params.integer("startTime"), params.integer("endTime")
    return (start if start is not None else 0), (end if end is not None else 2**62)


def _event_view(event: LogEvent, ingestion: bool = True) -> Result:
    view: Result = {"timestamp": event.timestamp_ms, "message": event.message}
    if ingestion:
        view["ingestionTime"] = event.ingestion_ms
    return view


async def get_log_events(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    stream = logs.stream(group, params.required_text("logStreamName"))
    start, end = _time_range(params)
    token = params.text("nextToken") or ""
    limit = _limit(params, 10_000, 10_000)
    forward = params.boolean("startFromHead") is True or token.startswith("f/")
    if token.startswith(("f/", "b/")) and token[2:].isdigit():
        after = int(token[2:])
        where = (
            "stream_id = ? AND timestamp_ms >= ? AND timestamp_ms < ? AND id "
            + (">" if forward else "<")
            + " ?"
        )
        values: tuple[Any, ...] = (stream.id, start, end, after)
    else:
        where, values = "stream_id = ? AND timestamp_ms >= ? AND timestamp_ms < ?", (stream.id, start, end)
    found = await logs.db.read(lambda conn: rows.events(conn, where, values, not forward, limit))
    events = found if forward else list(reversed(found))
    first = events[0].id if events else (int(token[2:]) if token[2:].isdigit() else 0)
    last = events[-1].id if events else first
    return {
        "events": [_event_view(e) for e in events],
        "nextForwardToken": f"f/{last if events else max(first, 0)}",
        "nextBackwardToken": f"b/{first}",
    }


async def filter_log_events(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    names = params.text_list("logStreamNames")
    prefix = params.text("logStreamNamePrefix") or ""
    streams = {
        s.id: s.name
        for s in logs.streams(group)
        if (not names or s.name in names) and s.name.startswith(prefix)
    }
    start, end = _time_range(params)
    token = params.text("nextToken") or ""
    after = int(token) if token.isdigit() else 0
    limit = _limit(params, 10_000, 10_000)
    matches = compile_pattern(params.text("filterPattern"))
    where = "group_id = ? AND timestamp_ms >= ? AND timestamp_ms < ? AND id > ?"
    # Events come in id order within the time order: paging by id after the last one shown.
    found = await logs.db.read(
        lambda conn: rows.events(conn, where, (group.id, start, end, after), False, SCAN)
    )
    shown: list[Result] = []
    last_id = after
    for event in found:
        last_id = event.id
        if event.stream_id in streams and matches(event.message):
            shown.append(
                {"logStreamName": streams[event.stream_id], "eventId": str(event.id)} | _event_view(event)
            )
            if len(shown) >= limit:
                break
    result: Result = {
        "events": shown,
        "searchedLogStreams": [
            {"logStreamName": name, "searchedCompletely": True} for name in streams.values()
        ],
    }
    if len(found) == SCAN or len(shown) >= limit:
        result["nextToken"] = str(last_id)
    return result


async def put_retention_policy(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    days = params.integer("retentionInDays")
    if days not in RETENTION_DAYS:
        raise invalid(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint:"
            f" Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]"
        )
    await logs.update_group(group._replace(retention_days=days))
    return {}


async def delete_retention_policy(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    await logs.update_group(_group(logs, params, ctx)._replace(retention_days=None))
    return {}


def _by_arn(logs: LogsService, params: Params, ctx: RequestContext) -> LogGroup:
    arn = params.required_text("resourceArn")
    if ":log-group:" not in arn:
        raise invalid("The specified resource ARN is not a log group's")
    return logs.group(ctx.account, ctx.region, arn.split(":log-group:", 1)[1].removesuffix(":*"))


async def tag_resource(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _by_arn(logs, params, ctx)
    await logs.update_group(group._replace(tags=group.tags | params.text_map("tags")))
    return {}


async def untag_resource(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _by_arn(logs, params, ctx)
    removed = set(params.text_list("tagKeys"))
    await logs.update_group(group._replace(tags={k: v for k, v in group.tags.items() if k not in removed}))
    return {}


async def list_tags_for_resource(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    return {"tags": _by_arn(logs, params, ctx).tags}


async def list_tags_log_group(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    return {"tags": _group(logs, params, ctx).tags}


async def tag_log_group(logs: LogsService, params: Params, ctx: RequestContext) -> Result:
    group = _group(logs, params, ctx)
    await logs.update_group(group._replace(tags=group.tags | params.text_map("tags")))
    return {}


OPERATIONS = {
    "CreateLogGroup": create_log_group,
    "DeleteLogGroup": delete_log_group,
    "DescribeLogGroups": describe_log_groups,
    "CreateLogStream": create_log_stream,
    "DeleteLogStream": delete_log_stream,
    "DescribeLogStreams": describe_log_streams,
    "PutLogEvents": put_log_events,
    "GetLogEvents": get_log_events,
    "FilterLogEvents": filter_log_events,
    "PutRetentionPolicy": put_retention_policy,
    "DeleteRetentionPolicy": delete_retention_policy,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
    "TagLogGroup": tag_log_group,
    "ListTagsLogGroup": list_tags_log_group,
}
