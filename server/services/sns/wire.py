"""SNS's query-protocol shapes: wrapped lists (`Tags.member.N`) and maps (`Attributes.entry.N.key`) in requests,
and the wrapped lists and maps of its XML replies."""

from __future__ import annotations

from server.services.sns.errors import NAMESPACE
from server.wire import ListOf, MapOf, Struct, XmlNames

_ATTRIBUTES = MapOf("key", "value", wrapper="entry")
_TAGS = ListOf(Struct(), wrapper="member")
_MESSAGE_ATTRIBUTES = MapOf("Name", "Value", Struct(), wrapper="entry")

INPUTS: dict[str, Struct] = {
    "CreateTopic": Struct({"Attributes": ("Attributes", _ATTRIBUTES), "Tags": ("Tags", _TAGS)}),
    "TagResource": Struct({"Tags": ("Tags", _TAGS)}),
    "Subscribe": Struct({"Attributes": ("Attributes", _ATTRIBUTES)}),
    "UntagResource": Struct({"TagKeys": ("TagKeys", ListOf(wrapper="member"))}),
    "Publish": Struct({"MessageAttributes": ("MessageAttributes", _MESSAGE_ATTRIBUTES)}),
    "PublishBatch": Struct(
        {
            "PublishBatchRequestEntries": (
                "PublishBatchRequestEntries",
                ListOf(Struct({"MessageAttributes": ("MessageAttributes", _MESSAGE_ATTRIBUTES)}), "member"),
            )
        }
    ),
}

OUTPUT = XmlNames(
    namespace=NAMESPACE,
    lists={},
    maps={},
    wrapped_lists={
        "Topics": "member",
        "Tags": "member",
        "Subscriptions": "member",
        "Successful": "member",
        "Failed": "member",
    },
    wrapped_maps={"Attributes": ("entry", "key", "value")},
    without_result=frozenset(  # operations whose model has no output shape
        {
            "AddPermission",
            "DeleteTopic",
            "RemovePermission",
            "SetSubscriptionAttributes",
            "SetTopicAttributes",
            "Unsubscribe",
        }
    ),
)
