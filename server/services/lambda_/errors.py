"""Lambda's errors: REST-JSON shapes (in `x-amzn-errortype`) and AWS's texts."""

from __future__ import annotations

from typing import Any

from server.errors import AwsError
from server.services.params import shown


def function_not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Function not found: {arn}", status=404)


def conflict(message: str) -> AwsError:
    return AwsError("ResourceConflictException", message, status=409)


def invalid_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def validation(member: str, value: object, constraint: str) -> AwsError:
    quoted = value if isinstance(value, str) else str(value) if isinstance(value, int) else shown(value)
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value '{quoted}' at '{member}' failed to satisfy constraint: {constraint}",
    )


# AWS's limits on a request body, and the operation names its texts use.
DIRECT_UPLOAD_BYTES = 69_905_067
"""A 50 MB zip, base64-encoded in JSON: CreateFunction and UpdateFunctionCode."""
SYNC_PAYLOAD_BYTES = 6_291_456
MAX_RESPONSE_BYTES = 6_291_556
"""AWS's limit on a synchronous invocation's response; past it the invocation fails."""
_NAMES_IN_TEXTS = {"Invoke": "InvokeFunction"}


def request_too_large(operation: str, limit: int) -> AwsError:
    name = _NAMES_IN_TEXTS.get(operation, operation)
    return AwsError(
        "RequestEntityTooLargeException",
        f"Request must be smaller than {limit} bytes for the {name} operation",
        status=413,
    )


def throttled() -> AwsError:
    return AwsError("TooManyRequestsException", "Rate Exceeded.", status=429)


def error_body(error: AwsError) -> dict[str, Any]:
    """Lambda's error body: `Type` and `Message` for its modelled errors; `message` alone for validation."""
    if error.code == "ValidationException":
        return {"message": error.message}
    if error.code == "TooManyRequestsException":
        return {
            "Type": "User",
            "message": error.message,
            "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
        }
    return {"Type": "User" if error.sender_fault else "Service", "Message": error.message}
