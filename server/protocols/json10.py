"""AWS JSON 1.0 (SQS as current SDKs speak it): JSON body in, JSON body out.

Errors follow the awsQueryCompatible convention: `__type` names the modelled error shape, and the
`x-amzn-query-error` header carries the legacy query code, so both `except client.exceptions.X` and
checks of `Error.Code` against the legacy code work.
"""

from __future__ import annotations

from typing import Any

import orjson

from server.errors import AwsError
from server.http import HttpResponse

MEDIA_TYPE = "application/x-amz-json-1.0"


def decode(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        params = None
    if not isinstance(params, dict):
        raise AwsError("SerializationException", "Start of structure or map found where not expected.")
    return params


def encode_result(result: dict[str, Any], request_id: str) -> HttpResponse:
    return HttpResponse(200, orjson.dumps(result), MEDIA_TYPE, {"x-amzn-RequestId": request_id})


def encode_error(error: AwsError, request_id: str, query_compatible: bool) -> HttpResponse:
    """The JSON error; services that moved from the query protocol also name the query error code in
    `x-amzn-query-error`, which their SDKs read for the error's code."""
    body = orjson.dumps({"__type": error.namespace + error.shape, "message": error.message})
    headers = {"x-amzn-RequestId": request_id}
    if query_compatible:
        fault = "Sender" if error.sender_fault else "Receiver"
        headers["x-amzn-query-error"] = f"{error.code};{fault}"
    return HttpResponse(error.status, body, MEDIA_TYPE, headers)
