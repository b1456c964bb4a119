"""The Python runtime's worker process: imports the handler once, then runs one invocation at a time, as
Lambda's runtime does. Run as a script (it imports nothing of Posthouse). Requests arrive on stdin and
answers leave on the original stdout, one JSON object per line; what the handler prints is its log."""

import importlib
import io
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

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
        self.client_context = request.get("client_context")
        self._deadline = time.monotonic() + request["timeout_s"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    frames = traceback.extract_tb(error.__traceback__)[1:]  # the runtime's own frame is not the handler's
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "stackTrace": [line for line in traceback.format_list(frames)],
    }


def _load() -> Callable[[Any, LambdaContext], Any] | dict[str, Any]:
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as error:
        return {
            "errorMessage": f"Unable to import module '{module_name}': {error}",
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
    handler = _load()
    for line in sys.stdin:
        request = json.loads(line)
        answer: dict[str, Any] = {}
        if isinstance(handler, dict):
            answer["error"] = handler
        else:
            try:
                result = handler(json.loads(request["event"]), LambdaContext(request))
                try:
                    answer["result"] = json.dumps(result)
                except (TypeError, ValueError) as error:
                    answer["error"] = {
                        "errorMessage": f"Unable to marshal response: {error}",
                        "errorType": "Runtime.MarshalError",
                        "stackTrace": [],
                    }
            except Exception as error:
                answer["error"] = _error(error)
                traceback.print_exc(file=captured)
        answer["log"] = captured.getvalue()
        captured.seek(0)
        captured.truncate()
        _protocol.write(json.dumps(answer) + "\n")
    sys.stdout, sys.stderr = real_stdout, real_stderr


if __name__ == "__main__":
    main()
    os._exit(0)  # stdin closed: the server is gone or done with this worker, whatever threads remain
