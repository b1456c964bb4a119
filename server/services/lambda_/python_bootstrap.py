"""The Python runtime's worker process: imports the handler once, then runs one invocation at a time, as
Lambda's runtime does. Run as a script (it imports nothing of Posthouse). Requests arrive on stdin and
answers leave on the original stdout, one JSON object per line; what the handler prints is its log."""

from __future__ import annotations

import base64
import decimal
import importlib
import io
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

LOG_KEPT = 256 * 1024
"""What an invocation's log keeps of its end (AWS's LogType=Tail shows 4 KB): printing 20 MB fails nothing."""
_DECIMAL = re.compile(r'"\\u0000decimal:([^"\\]*)\\u0000"')

_protocol = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # output written below Python (C extensions) goes to stderr, not into the protocol


class LambdaContext:
    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = request["invoked_function_arn"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.aws_request_id = request["request_id"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = _client_context(request.get("client_context"))
        self._deadline = time.monotonic() + request["timeout_s"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class ClientContext:
    """What the caller's X-Amz-Client-Context header said (base64 JSON): `client`, `custom`, `env`."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.client = document.get("client")
        self.custom = document.get("custom")
        self.env = document.get("env")


def _client_context(header: str | None) -> ClientContext | None:
    if not header:
        return None
    try:
        document = json.loads(base64.b64decode(header))
    except ValueError:
        return None
    return ClientContext(document) if isinstance(document, dict) else None


def _decimal_token(value: Any) -> str:
    if isinstance(value, decimal.Decimal):
        return f"\u0000decimal:{value}\u0000"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def marshal(result: Any) -> tuple[str, str]:
    """("result", JSON) as AWS's runtime writes a result: a Decimal as a bare number, NaN allowed; or
    ("bytes", base64) for a result that is bytes, returned as they are."""
    if isinstance(result, (bytes, bytearray)):
        return "bytes", base64.b64encode(result).decode()
    text = json.dumps(result, default=_decimal_token)
    return "result", _DECIMAL.sub(lambda match: match[1], text) if "decimal:" in text else text


class _RequestId(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _logging() -> _RequestId:
    """The root logger as Lambda's runtime sets it in its text format: WARNING unless AWS_LAMBDA_LOG_LEVEL
    says otherwise, lines as `[LEVEL]\ttime\trequest id\tmessage`, written to the invocation's log."""

    class ToCurrentStdout(logging.StreamHandler):  # type: ignore[type-arg]
        def emit(self, record: logging.LogRecord) -> None:
            self.stream = sys.stdout
            super().emit(record)

    request_id = _RequestId()
    handler = ToCurrentStdout()
    handler.addFilter(request_id)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"
    )
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper())
    return request_id


def _error(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    frames = traceback.extract_tb(error.__traceback__)[1:]  # the runtime's own frame is not the handler's
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "stackTrace": [line for line in traceback.format_list(frames)],
    }


_PYTHON = f"Python {sys.version_info[0]}.{sys.version_info[1]} at {sys.executable}"


def _load() -> Callable[[Any, LambdaContext], Any] | dict[str, Any]:
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    # On another Python than the server's: its pure-Python packages (boto3) come after the function's own.
    sys.path += [path for path in os.environ.get("POSTHOUSE_FALLBACK_PATHS", "").split(os.pathsep) if path]
    runtime = os.environ.get("AWS_EXECUTION_ENV", "").removeprefix("AWS_Lambda_")
    print(f"INIT_START Runtime Version: {runtime} ({_PYTHON})")
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as error:
        return {
            "errorMessage": f"Unable to import module '{module_name}': {error} (the runtime is {_PYTHON})",
            "errorType": "Runtime.ImportModuleError",
            "stackTrace": [],
        }
    handler = getattr(module, function_name, None)
    if not callable(handler):
        return {
            "errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
            "errorType": "Runtime.HandlerNotFound",
            "stackTrace": [],
        }
    function: Callable[[Any, LambdaContext], Any] = handler
    return function


def main() -> None:
    captured = io.StringIO()
    real_stdout, real_stderr = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = captured  # importing the module may print too: that is the first log
    request_id = _logging()
    handler = _load()
    for line in sys.stdin:
        request = json.loads(line)
        request_id.request_id = request["request_id"]
        answer: dict[str, Any] = {}
        if isinstance(handler, dict):
            answer["error"] = handler
        else:
            try:
                result = handler(request["event"], LambdaContext(request))
                try:
                    kind, text = marshal(result)
                    answer[kind] = text
                except (TypeError, ValueError) as error:
                    answer["error"] = {
                        "errorMessage": f"Unable to marshal response: {error}",
                        "errorType": "Runtime.MarshalError",
                        "stackTrace": [],
                    }
            except Exception as error:
                answer["error"] = _error(error)
                traceback.print_exc(file=captured)
        answer["log"] = captured.getvalue()[-LOG_KEPT:]
        captured.seek(0)
        captured.truncate()
        _protocol.write(json.dumps(answer) + "\n")
    sys.stdout, sys.stderr = real_stdout, real_stderr


if __name__ == "__main__":
    main()
    os._exit(0)  # stdin closed: the server is gone or done with this worker, whatever threads remain
