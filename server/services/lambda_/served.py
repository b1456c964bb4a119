"""Functions served by the user: a function whose Environment names `POSTHOUSE_FUNCTION_URL` is run by POSTing
its event there, the way one invokes a Lambda container image through the Runtime Interface Emulator (RIE).

A URL without a path gets the RIE's invocation path. The reply's body is the function's result, unless it
is an error: a reply with `X-Amz-Function-Error`, or a JSON object carrying `errorType` and `errorMessage`
(what the RIE answers, with status 200, when a handler raises), or the RIE's `Task timed out after …` text.
A reply's `X-Amz-Log-Result` (base64) is the invocation's log. Any other status than 2xx, or no answer,
fails the invocation as `Runtime.ExitError`; the function's Timeout is enforced on the request.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from server.services.lambda_.errors import MAX_RESPONSE_BYTES
from server.services.lambda_.workers import Outcome, timed_out
from server.services.outbound import Refused, check_destination

if TYPE_CHECKING:  # httpx itself is imported when a served function is first called
    import httpx

SERVED_BY = "POSTHOUSE_FUNCTION_URL"
RIE_PATH = "/2015-03-31/functions/function/invocations"
_ERROR_KEYS = {"errorType", "errorMessage"}


def served_url(configuration: dict[str, Any]) -> str | None:
    variables = (configuration.get("Environment") or {}).get("Variables") or {}
    url = variables.get(SERVED_BY)
    if not isinstance(url, str) or not url:
        return None
    return url + RIE_PATH if urlsplit(url).path in ("", "/") else url


def _failed(message: str) -> Outcome:
    return Outcome(None, {"errorMessage": message, "errorType": "Runtime.ExitError"}, "")


def _log(response: httpx.Response) -> str:
    try:
        return base64.b64decode(response.headers.get("X-Amz-Log-Result", "")).decode(errors="replace")
    except binascii.Error:
        return ""


def _error_payload(body: bytes) -> dict[str, Any] | None:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return document if isinstance(document, dict) and document.keys() >= _ERROR_KEYS else None


class ServedFunction:
    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        import httpx

        self._url = httpx.URL(url)
        self._client = client
        self.instance = secrets.token_hex(16)
        """This runner's id: its invocations' log stream is named after it."""

    async def invoke(self, request: dict[str, Any], timeout_s: float, wait: bool = True) -> Outcome:
        import httpx

        try:
            await check_destination(self._url)
            async with self._client.stream(
                "POST",
                self._url,
                content=request["event"],
                headers={
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request["request_id"],
                    "Lambda-Runtime-Invoked-Function-Arn": request["invoked_function_arn"],
                },
                timeout=timeout_s,
            ) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        break  # past the limit: the invoker answers AWS's error for it
        except httpx.TimeoutException:
            return timed_out(timeout_s)
        except (httpx.HTTPError, OSError, Refused) as error:
            return _failed(f"The function's server at {self._url} did not answer: {error}")
        return self._outcome(response, bytes(body))

    def _outcome(self, response: httpx.Response, body: bytes) -> Outcome:
        log = _log(response)
        if not 200 <= response.status_code < 300:
            return _failed(f"The function's server at {self._url} answered HTTP {response.status_code}")
        if body.startswith(b"Task timed out after"):
            return Outcome(None, {"errorMessage": body.decode(), "errorType": "Sandbox.Timedout"}, log)
        error = _error_payload(body)
        if error is None and "X-Amz-Function-Error" in response.headers:
            error = {"errorMessage": body.decode(errors="replace"), "errorType": "Unhandled"}
        if error is not None:
            return Outcome(None, error, log)
        return Outcome(body, None, log)

    async def close(self) -> None:
        return None
