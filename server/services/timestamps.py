"""ISO-8601 UTC timestamps with milliseconds, as AWS writes them in bodies: SNS envelopes and Lambda's
destination records end in `Z`, Lambda's LastModified in `+0000`."""

from __future__ import annotations

import datetime

_last_second: tuple[int, str] = (-1, "")
"""The second last written, and its text up to the milliseconds: a publish writes one timestamp, and
formatting a date costs ten times what reusing it does."""


def iso_millis(now_ms: int, zone: str = "Z") -> str:
    global _last_second
    second, millis = divmod(now_ms, 1000)
    if _last_second[0] != second:
        moment = datetime.datetime.fromtimestamp(second, datetime.UTC)
        _last_second = (second, moment.strftime("%Y-%m-%dT%H:%M:%S."))
    return f"{_last_second[1]}{millis:03d}{zone}"
