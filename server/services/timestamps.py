"""ISO-8601 UTC timestamps with milliseconds, as AWS writes them in bodies: SNS envelopes and Lambda's
destination records end in `Z`, Lambda's LastModified in `+0000`."""

from __future__ import annotations

import datetime


def iso_millis(now_ms: int, zone: str = "Z") -> str:
    moment = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}{zone}"
