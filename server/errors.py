"""The AwsError family: domain errors that carry everything a codec needs to put them on the wire.

Services raise these; they know nothing about HTTP beyond the status number AWS documents per error.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON_NAMESPACE = "com.amazon.coral.service#"


@dataclass
class AwsError(Exception):
    code: str
    """The query-protocol error code (also the first part of `x-amzn-query-error`)."""
    message: str
    status: int = 400
    shape: str = ""
    """The JSON-protocol error shape name; defaults to `code`."""
    namespace: str = COMMON_NAMESPACE
    sender_fault: bool = True
    query_message: str | None = None
    """AWS words a few errors differently in the query protocol."""

    def __post_init__(self) -> None:
        super().__init__(self.message)
        self.shape = self.shape or self.code


def invalid_parameter_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, shape="InvalidParameterValueException")


def missing_parameter(name: str) -> AwsError:
    return AwsError(
        "MissingParameter",
        f"The request must contain the parameter {name}.",
        shape="MissingRequiredParameterException",
    )


def invalid_action(action: str) -> AwsError:
    return AwsError("InvalidAction", f"The action {action} is not valid for this endpoint.")


def internal_failure() -> AwsError:
    return AwsError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        status=500,
        sender_fault=False,
    )


def service_unavailable() -> AwsError:
    return AwsError(
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server.",
        status=503,
        sender_fault=False,
    )
