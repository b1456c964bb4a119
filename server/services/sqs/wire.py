"""SQS's query-protocol wire names (from the last query-protocol SQS model): flattened lists and maps."""

from __future__ import annotations

from server.wire import ListOf, MapOf, Shape, Struct, XmlNames

NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"

_ATTRIBUTES = MapOf("Name", "Value")
_TAGS = MapOf("Key", "Value")
_MESSAGE_ATTRIBUTES = MapOf(
    "Name",
    "Value",
    Struct(
        {"StringListValue": ("StringListValues", ListOf()), "BinaryListValue": ("BinaryListValues", ListOf())}
    ),
)
_SEND: dict[str, tuple[str, Shape]] = {
    "MessageAttribute": ("MessageAttributes", _MESSAGE_ATTRIBUTES),
    "MessageSystemAttribute": ("MessageSystemAttributes", _MESSAGE_ATTRIBUTES),
}

INPUTS: dict[str, Struct] = {
    "CreateQueue": Struct({"Attribute": ("Attributes", _ATTRIBUTES), "Tag": ("tags", _TAGS)}),
    "GetQueueAttributes": Struct({"AttributeName": ("AttributeNames", ListOf())}),
    "SetQueueAttributes": Struct({"Attribute": ("Attributes", _ATTRIBUTES)}),
    "SendMessage": Struct(_SEND),
    "SendMessageBatch": Struct({"SendMessageBatchRequestEntry": ("Entries", ListOf(Struct(_SEND)))}),
    "ReceiveMessage": Struct(
        {
            "AttributeName": ("AttributeNames", ListOf()),
            "MessageAttributeName": ("MessageAttributeNames", ListOf()),
            "MessageSystemAttributeName": ("MessageSystemAttributeNames", ListOf()),
        }
    ),
    "DeleteMessageBatch": Struct({"DeleteMessageBatchRequestEntry": ("Entries", ListOf(Struct()))}),
    "ChangeMessageVisibilityBatch": Struct(
        {"ChangeMessageVisibilityBatchRequestEntry": ("Entries", ListOf(Struct()))}
    ),
    # botocore names TagQueue's map after the member (`Tags.N.Key`); AWS's docs write `Tag.N.Key`.
    "TagQueue": Struct({"Tag": ("Tags", _TAGS), "Tags": ("Tags", _TAGS)}),
    "UntagQueue": Struct({"TagKey": ("TagKeys", ListOf()), "TagKeys": ("TagKeys", ListOf())}),
    "AddPermission": Struct(
        {"AWSAccountId": ("AWSAccountIds", ListOf()), "ActionName": ("Actions", ListOf())}
    ),
}

OUTPUT = XmlNames(
    namespace=NAMESPACE,
    error_detail=True,
    lists={
        "QueueUrls": "QueueUrl",
        "queueUrls": "QueueUrl",
        "Messages": "Message",
        "Failed": "BatchResultErrorEntry",
        "Results": "ListMessageMoveTasksResultEntry",
    },
    maps={
        "Attributes": ("Attribute", "Name", "Value"),
        "Tags": ("Tag", "Key", "Value"),
        "MessageAttributes": ("MessageAttribute", "Name", "Value"),
    },
    json_members={("ListQueues", "QueueUrls"): "queueUrls"},  # as AWS was recorded answering
    operation_lists={
        ("SendMessageBatch", "Successful"): "SendMessageBatchResultEntry",
        ("DeleteMessageBatch", "Successful"): "DeleteMessageBatchResultEntry",
        ("ChangeMessageVisibilityBatch", "Successful"): "ChangeMessageVisibilityBatchResultEntry",
    },
    without_result=frozenset(
        {
            "AddPermission",
            "ChangeMessageVisibility",
            "DeleteMessage",
            "DeleteQueue",
            "PurgeQueue",
            "RemovePermission",
            "SetQueueAttributes",
            "TagQueue",
            "UntagQueue",
        }
    ),
)
