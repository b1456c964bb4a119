"""The query codec's wrapped lists and maps (`Name.member.N`, `Name.entry.N.key`), as SNS and STS use them,
with botocore as the oracle both ways: botocore serializes SNS requests and ours decodes them; ours encodes
SNS results and botocore parses them. Our shape tables are read off botocore's model here, so every
operation's shapes are covered, not a hand-picked few."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.model import OperationModel
from botocore.model import Shape as ModelShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from server.protocols import query
from server.wire import ListOf, MapOf, Scalar, Shape, Struct, XmlNames

SNS = botocore.session.get_session().get_service_model("sns")


def our_shape(shape: ModelShape) -> Shape:
    """What a service descriptor would declare for this botocore shape."""
    if shape.type_name == "structure":
        members = shape.members
        return Struct({m.serialization.get("name", n): (n, our_shape(m)) for n, m in members.items()})
    if shape.type_name == "list":
        member = shape.member
        wrapper = None if shape.serialization.get("flattened") else member.serialization.get("name", "member")
        return ListOf(our_shape(member), wrapper)
    if shape.type_name == "map":
        key, value = (
            shape.key.serialization.get("name", "key"),
            shape.value.serialization.get("name", "value"),
        )
        wrapper = None if shape.serialization.get("flattened") else "entry"
        return MapOf(key, value, our_shape(shape.value), wrapper)
    return Scalar()


def our_names(shape: ModelShape, names: XmlNames) -> XmlNames:
    """The result side: every wrapped list and map an output shape holds, by member name."""
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if member.type_name == "list":
                names.wrapped_lists[name] = member.member.serialization.get("name", "member")
                our_names(member.member, names)
            elif member.type_name == "map":
                key = member.key.serialization.get("name", "key")
                names.wrapped_maps[name] = ("entry", key, member.value.serialization.get("name", "value"))
            else:
                our_names(member, names)
    return names


def as_text(value: Any) -> Any:
    """Parameters as the query protocol carries them: every leaf a string."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    return "true" if value is True else "false" if value is False else str(value)


REQUESTS: dict[str, dict[str, Any]] = {
    "CreateTopic": {
        "Name": "orders",
        "Attributes": {"FifoTopic": "true", "DisplayName": "Orders"},
        "Tags": [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "ci"}],
    },
    "Publish": {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:orders",
        "Message": "hello",
        "MessageAttributes": {
            "country": {"DataType": "String", "StringValue": "NO"},
            "sizes": {"DataType": "String.Array", "StringValue": '["S","M"]'},
        },
    },
    "PublishBatch": {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:orders",
        "PublishBatchRequestEntries": [
            {
                "Id": "1",
                "Message": "a",
                "MessageAttributes": {"k": {"DataType": "Number", "StringValue": "1"}},
            },
            {"Id": "2", "Message": "b", "MessageGroupId": "g"},
        ],
    },
    "Subscribe": {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:orders",
        "Protocol": "sqs",
        "Endpoint": "arn:aws:sqs:us-east-1:000000000000:q",
        "Attributes": {"RawMessageDelivery": "true", "FilterPolicy": '{"country": ["NO"]}'},
        "ReturnSubscriptionArn": True,
    },
    "AddPermission": {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:orders",
        "Label": "l",
        "AWSAccountId": ["111122223333", "444455556666"],
        "ActionName": ["Publish", "Subscribe"],
    },
    "UntagResource": {"ResourceArn": "arn:aws:sns:us-east-1:000000000000:orders", "TagKeys": []},
}


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_requests_botocore_serializes_decode_to_the_same_parameters(operation: str) -> None:
    model: OperationModel = SNS.operation_model(operation)
    form = create_serializer("query").serialize_to_request(REQUESTS[operation], model)["body"]
    shape = our_shape(model.input_shape)
    assert isinstance(shape, Struct)
    decoded = query.decode({k: str(v) for k, v in form.items()}, shape)
    assert decoded == as_text(REQUESTS[operation])


RESULTS: dict[str, dict[str, Any]] = {
    "ListTopics": {"Topics": [{"TopicArn": "arn:1"}, {"TopicArn": "arn:2"}], "NextToken": "t"},
    "GetTopicAttributes": {"Attributes": {"Policy": "{}", "DisplayName": "<&>"}},
    "ListTagsForResource": {"Tags": [{"Key": "team", "Value": "a"}]},
    "PublishBatch": {
        "Successful": [{"Id": "1", "MessageId": "m1", "SequenceNumber": "10000000000000000001"}],
        "Failed": [{"Id": "2", "Code": "InvalidParameter", "Message": "no", "SenderFault": True}],
    },
    "ListSubscriptionsByTopic": {"Subscriptions": []},
}


@pytest.mark.parametrize("operation", sorted(RESULTS))
def test_results_we_encode_parse_with_botocore_to_the_same_values(operation: str) -> None:
    model: OperationModel = SNS.operation_model(operation)
    names = our_names(model.output_shape, XmlNames("http://sns.amazonaws.com/doc/2010-03-31/", {}, {}))
    response = query.encode_result(operation, RESULTS[operation], "request-id", names)
    parsed = create_parser("query").parse(
        {"status_code": 200, "headers": {}, "body": response.body}, model.output_shape
    )
    parsed.pop("ResponseMetadata", None)
    assert parsed == RESULTS[operation]
