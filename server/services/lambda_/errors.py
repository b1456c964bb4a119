"""Lambda's errors: REST-JSON shapes (in `x-amzn-errortype`) and AWS's texts."""

from __future__ import annotations

from typing import Any

from server.errors import AwsError


def function_not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Function not found: {arn}", status=404)


def conflict(message: str) -> AwsError:
    return AwsError("ResourceConflictException", message, status=409)


def invalid_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message)


def validation(member: str, value: object, constraint: str) -> AwsError:
    shown = value if isinstance(value, str | int) else repr(value)
    return AwsError(
        "ValidationException",
        f"1 validation error detected: Value '{shown}' at '{member}' failed to satisfy constraint: {constraint}",
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
