"""IAM on the wire: the query protocol (`Version=2010-05-08`), a global service signed for us-east-1. Lists
travel wrapped (`Tags.member.N`, `<Roles><member>`)."""

from __future__ import annotations

from typing import Any

from server.services.iam import policy_operations, role_operations, user_operations
from server.services.iam.errors import NAMESPACE
from server.wire import ListOf, QueryWire, ServiceDescriptor, Struct, XmlNames

_TAGS = ("Tags", ListOf(Struct(), wrapper="member"))
_KEYS = ("TagKeys", ListOf(wrapper="member"))
_TAGGED = Struct({"Tags": _TAGS})
INPUTS = {
    "CreateRole": _TAGGED,
    "CreatePolicy": _TAGGED,
    "CreateUser": _TAGGED,
    "TagRole": _TAGGED,
    "UntagRole": Struct({"TagKeys": _KEYS}),
}
_LISTS = (
    "Roles",
    "Policies",
    "AttachedPolicies",
    "PolicyNames",
    "Versions",
    "Tags",
    "Users",
    "AccessKeyMetadata",
)
OUTPUT = XmlNames(
    namespace=NAMESPACE,
    lists={},
    maps={},
    wrapped_lists=dict.fromkeys(_LISTS, "member"),
    without_result=frozenset(
        {
            "DeleteRole",
            "UpdateAssumeRolePolicy",
            "TagRole",
            "UntagRole",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "PutRolePolicy",
            "DeleteRolePolicy",
            "DeletePolicy",
            "DeletePolicyVersion",
            "SetDefaultPolicyVersion",
            "DeleteUser",
            "DeleteAccessKey",
        }
    ),
)
OPERATIONS: dict[str, Any] = (
    role_operations.OPERATIONS | policy_operations.OPERATIONS | user_operations.OPERATIONS
)

DESCRIPTOR = ServiceDescriptor(
    name="iam",
    signing_name="iam",
    operations=OPERATIONS,
    query=QueryWire(version="2010-05-08", inputs=INPUTS, names=OUTPUT),
)
