"""SQS's modelled errors: JSON shape name -> (query code, HTTP status), as AWS sends them."""

from __future__ import annotations

from server.errors import AwsError, invalid_parameter_value

_NAMESPACE = "com.amazonaws.sqs#"
_PREFIX = "AWS.SimpleQueueService."
_ERRORS: dict[str, tuple[str, int]] = {
    "QueueDoesNotExist": (_PREFIX + "NonExistentQueue", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "QueueDeletedRecently": (_PREFIX + "QueueDeletedRecently", 400),
    "PurgeQueueInProgress": (_PREFIX + "PurgeQueueInProgress", 403),
    "OverLimit": ("OverLimit", 403),
    "TooManyEntriesInBatchRequest": (_PREFIX + "TooManyEntriesInBatchRequest", 400),
    "EmptyBatchRequest": (_PREFIX + "EmptyBatchRequest", 400),
    "BatchEntryIdsNotDistinct": (_PREFIX + "BatchEntryIdsNotDistinct", 400),
    "BatchRequestTooLong": (_PREFIX + "BatchRequestTooLong", 400),
    "InvalidBatchEntryId": (_PREFIX + "InvalidBatchEntryId", 400),
    "UnsupportedOperation": (_PREFIX + "UnsupportedOperation", 400),
    "ResourceNotFoundException": ("ResourceNotFoundException", 404),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 400),
    "InvalidAttributeName": ("InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", 400),
    "InvalidMessageContents": ("InvalidMessageContents", 400),
}


def sqs_error(shape: str, message: str) -> AwsError:
    code, status = _ERRORS[shape]
    return AwsError(code, message, status=status, shape=shape, namespace=_NAMESPACE)


def queue_does_not_exist() -> AwsError:
    error = sqs_error("QueueDoesNotExist", "The specified queue does not exist.")
    error.query_message = "The specified queue does not exist for this wsdl version."
    return error


def unknown_attribute(name: str) -> AwsError:
    return sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")


def invalid_value(name: str, value: object, reason: str) -> AwsError:
    return invalid_parameter_value(f"Value {value} for parameter {name} is invalid. Reason: {reason}")
