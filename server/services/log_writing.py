"""What other services use of CloudWatch Logs, in process: append lines to a log stream (Lambda writes each
invocation's output there). Here, not in the Logs package, so that services depend on each other one way only;
the Logs service offers its implementation (a subclass) under this type. Appends are buffered and stored in
batches."""

from __future__ import annotations


class LogWriting:
    """The API."""

    def append(
        self, account: str, region: str, group: str, stream: str, lines: list[tuple[int, str]]
    ) -> None:
        """Queue (timestamp ms, message) events for the stream, creating its group and stream when needed."""
        raise NotImplementedError
