"""CloudWatch Logs' errors (AWS JSON 1.1: the shape is the code), with AWS's texts."""

from __future__ import annotations

from server.errors import AwsError


def not_found(what: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"The specified {what} does not exist.")


def already_exists(what: str) -> AwsError:
    return AwsError("ResourceAlreadyExistsException", f"The specified {what} already exists")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)
