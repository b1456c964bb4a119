"""SNS's errors: its query codes, the shapes botocore maps them to, and AWS's `Invalid parameter: …` texts."""

from __future__ import annotations

from server.errors import AwsError

NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"


def invalid_parameter(what: str) -> AwsError:
    return AwsError("InvalidParameter", f"Invalid parameter: {what}", shape="InvalidParameterException")


def topic_not_found() -> AwsError:
    return AwsError("NotFound", "Topic does not exist", status=404, shape="NotFoundException")


def subscription_not_found() -> AwsError:
    return AwsError("NotFound", "Subscription does not exist", status=404, shape="NotFoundException")


def resource_not_found() -> AwsError:
    return AwsError(
        "ResourceNotFound", "Resource does not exist", status=404, shape="ResourceNotFoundException"
    )


def tag_limit_exceeded() -> AwsError:
    return AwsError(
        "TagLimitExceeded",
        "Could not complete request: tag quota of per resource exceeded",
        shape="TagLimitExceededException",
    )
