"""SNS's query-protocol shapes: wrapped lists (`Tags.member.N`) and maps (`Attributes.entry.N.key`) in requests,
and the wrapped lists and maps of its XML replies."""

from __future__ import annotations

from server.services.sns.errors import NAMESPACE
from server.wire import ListOf, MapOf, Struct, XmlNames

_ATTRIBUTES = MapOf("key", "value", wrapper="entry")
_TAGS = ListOf(Struct(), wrapper="member")
_MEMBERS = ListOf(wrapper="member")
_MESSAGE_ATTRIBUTES = MapOf("Name", "Value", Struct(), wrapper="entry")

INPUTS: dict[str, Struct] = {
    "CreateTopic": Struct({"Attributes": ("Attributes", _ATTRIBUTES), "Tags": ("Tags", _TAGS)}),
    "TagResource": Struct({"Tags": ("Tags", _TAGS)}),
    "Subscribe": Struct({"Attributes": ("Attributes", _ATTRIBUTES)}),
    "UntagResource": Struct({"TagKeys": ("TagKeys", _MEMBERS)}),
    "AddPermission": Struct(
        {
            "AWSAccountId": ("AWSAccountId", ListOf(wrapper="member")),
            "ActionName": ("ActionName", ListOf(wrapper="member")),
        }
    ),
    "SetSMSAttributes": Struct({"attributes": ("attributes", _ATTRIBUTES)}),
    "GetSMSAttributes": Struct({"attributes": ("attributes", _MEMBERS)}),
    "CreatePlatformApplication": Struct({"Attributes": ("Attributes", _ATTRIBUTES)}),
    "SetPlatformApplicationAttributes": Struct({"Attributes": ("Attributes", _ATTRIBUTES)}),
    "CreatePlatformEndpoint": Struct({"Attributes": ("Attributes", _ATTRIBUTES)}),
    "SetEndpointAttributes": Struct({"Attributes": ("Attributes", _ATTRIBUTES)}),
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
        "phoneNumbers": "member",
        "PhoneNumbers": "member",
        "PlatformApplications": "member",
        "Endpoints": "member",
    },
    wrapped_maps={"Attributes": ("entry", "key", "value"), "attributes": ("entry", "key", "value")},
    without_result=frozenset(  # operations whose model has no output shape
        {
            "AddPermission",
            "DeleteEndpoint",
            "DeletePlatformApplication",
            "DeleteTopic",
            "PutDataProtectionPolicy",
            "RemovePermission",
            "SetEndpointAttributes",
            "SetPlatformApplicationAttributes",
            "SetSubscriptionAttributes",
            "SetTopicAttributes",
            "Unsubscribe",
        }
    ),
)
