"""The CloudWatch Logs service: groups and streams (in the database, and in memory for lookups), their events
in the database. What other services append (Lambda's invocation output) is buffered and stored by a worker
in one transaction every FLUSH_MS, so an invocation never waits for it; each group keeps its retention and at
most `max_group_bytes` of messages (oldest dropped first)."""

from __future__ import annotations

import asyncio
import sqlite3

from persistence import logs as rows
from persistence.engine import Database
from persistence.logs import LogGroup, LogStream
from server.clock import Clock
from server.services.log_writing import LogWriting
from server.services.logs.errors import already_exists, not_found

FLUSH_MS = 200
DAY_MS = 86_400_000
Pending = tuple[str, str, str, str, list[tuple[int, str]]]


class LogsService(LogWriting):
    def __init__(self, db: Database, clock: Clock, max_group_bytes: int) -> None:
        self.db = db
        self.clock = clock
        self.max_group_bytes = max_group_bytes
        self._groups: dict[tuple[str, str, str], LogGroup] = {}
        self._streams: dict[tuple[int, str], LogStream] = {}
        self._pending: list[Pending] = []
        self._waker = asyncio.Event()

    async def start(self) -> None:
        groups, streams = await self.db.read(rows.load)
        self._groups = {(g.account, g.region, g.name): g for g in groups}
        self._streams = {(s.group_id, s.name): s for s in streams}

    async def stop(self) -> None:
        await self.flush()

    def release_pollers(self) -> None:
        return None

    async def reset(self) -> None:
        self._pending.clear()
        await self.db.run(rows.delete_all)
        self._groups.clear()
        self._streams.clear()

    # -- catalog ----------------------------------------------------------------------------------------

    def groups(self, account: str, region: str) -> list[LogGroup]:
        mine = [g for (a, r, _), g in self._groups.items() if (a, r) == (account, region)]
        return sorted(mine, key=lambda g: g.name)

    def group(self, account: str, region: str, name: str) -> LogGroup:
        found = self._groups.get((account, region, name))
        if found is None:
            raise not_found("log group")
        return found

    def streams(self, group: LogGroup) -> list[LogStream]:
        return sorted((s for (g, _), s in self._streams.items() if g == group.id), key=lambda s: s.name)

    def stream(self, group: LogGroup, name: str) -> LogStream:
        found = self._streams.get((group.id, name))
        if found is None:
            raise not_found("log stream")
        return found

    async def create_group(self, account: str, region: str, name: str, tags: dict[str, str]) -> LogGroup:
        if (account, region, name) in self._groups:
            raise already_exists("log group")
        now_ms = self.clock.now_ms()
        group_id = await self.db.run(
            lambda conn: rows.create_group(conn, account, region, name, now_ms, tags)
        )
        group = LogGroup(group_id, account, region, name, now_ms, None, tags)
        self._groups[account, region, name] = group
        return group

    async def update_group(self, group: LogGroup) -> None:
        await self.db.run(lambda conn: rows.update_group(conn, group))
        self._groups[group.account, group.region, group.name] = group

    async def delete_group(self, group: LogGroup) -> None:
        await self.db.run(lambda conn: rows.delete_group(conn, group.id))
        del self._groups[group.account, group.region, group.name]
        for key in [key for key in self._streams if key[0] == group.id]:
            del self._streams[key]

    async def create_stream(self, group: LogGroup, name: str) -> LogStream:
        if (group.id, name) in self._streams:
            raise already_exists("log stream")
        now_ms = self.clock.now_ms()
        stream_id = await self.db.run(lambda conn: rows.create_stream(conn, group.id, name, now_ms))
        stream = LogStream(stream_id, group.id, name, now_ms)
        self._streams[group.id, name] = stream
        return stream

    async def delete_stream(self, stream: LogStream) -> None:
        await self.db.run(lambda conn: rows.delete_stream(conn, stream.id))
        self._streams.pop((stream.group_id, stream.name), None)

    async def put(self, group: LogGroup, stream: LogStream, events: list[tuple[int, str]]) -> None:
        now_ms = self.clock.now_ms()

        def op(conn: sqlite3.Connection) -> None:
            rows.put_events(conn, group.id, stream.id, events, now_ms)
            self._trim(conn, group, now_ms)

        await self.db.run(op)

    def _trim(self, conn: sqlite3.Connection, group: LogGroup, now_ms: int) -> None:
        older_than = now_ms - group.retention_days * DAY_MS if group.retention_days else None
        rows.trim(conn, group.id, older_than, self.max_group_bytes)

    # -- what other services append ---------------------------------------------------------------------

    def append(
        self, account: str, region: str, group: str, stream: str, lines: list[tuple[int, str]]
    ) -> None:
        self._pending.append((account, region, group, stream, lines))
        self._waker.set()

    async def run(self) -> None:
        """The worker: store what was appended, at most every FLUSH_MS."""
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        while True:
            await self._waker.wait()
            self._waker.clear()
            await self.clock.wait(never, self.clock.now_ms() + FLUSH_MS)
            await self.flush()

    async def flush(self) -> None:
        """Store what was appended, all in one transaction (groups and streams created as needed)."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        now_ms = self.clock.now_ms()
        known_groups, known_streams = dict(self._groups), dict(self._streams)

        def op(conn: sqlite3.Connection) -> tuple[list[LogGroup], list[LogStream]]:
            groups, streams = dict(known_groups), dict(known_streams)
            new_groups, new_streams, touched = [], [], {}
            for account, region, group_name, stream_name, lines in pending:
                group = groups.get((account, region, group_name))
                if group is None:  # created on first output, as Lambda's are
                    group_id = rows.create_group(conn, account, region, group_name, now_ms, {})
                    group = groups[account, region, group_name] = LogGroup(
                        group_id, account, region, group_name, now_ms, None, {}
                    )
                    new_groups.append(group)
                stream = streams.get((group.id, stream_name))
                if stream is None:
                    stream_id = rows.create_stream(conn, group.id, stream_name, now_ms)
                    stream = streams[group.id, stream_name] = LogStream(
                        stream_id, group.id, stream_name, now_ms
                    )
                    new_streams.append(stream)
                rows.put_events(conn, group.id, stream.id, lines, now_ms)
                touched[group.id] = group
            for group in touched.values():
                self._trim(conn, group, now_ms)
            return new_groups, new_streams

        new_groups, new_streams = await self.db.run(op)
        for group in new_groups:
            self._groups[group.account, group.region, group.name] = group
        for stream in new_streams:
            self._streams[stream.group_id, stream.name] = stream
