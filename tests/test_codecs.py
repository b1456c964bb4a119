"""Codecs against botocore as the oracle: its query serializer feeds our decoder, its parsers read our XML.

For every operation, a request serialized with the query-protocol model must decode to exactly the
parameters the JSON-protocol model serializes; a result encoded as XML must parse to what the JSON
encoding parses to.
"""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import parse_qsl

import botocore.session
import pytest
import xmltodict
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.clients import query_model_dir
from server.protocols import json10, query
from server.services.sqs import wire as sqs_query
from server.services.timestamps import iso_millis
from server.wire import Struct

TRACE = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}}
ATTRIBUTES = {
    "s": {"DataType": "String", "StringValue": "v"},
    "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
}
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (
        "CreateQueue",
        {
            "QueueName": "q",
            "Attributes": {"VisibilityTimeout": "30", "DelaySeconds": "1"},
            "tags": {"a": "b", "c": ""},
        },
    ),
    ("GetQueueAttributes", {"QueueUrl": "u", "AttributeNames": ["All", "QueueArn"]}),
    ("SetQueueAttributes", {"QueueUrl": "u", "Attributes": {"Policy": '{"a": "b=c&d"}'}}),
    (
        "SendMessage",
        {
            "QueueUrl": "u",
            "MessageBody": "héllo w&rld=+\r\n",
            "DelaySeconds": 5,
            "MessageAttributes": ATTRIBUTES,
            "MessageSystemAttributes": TRACE,
            "MessageGroupId": "g",
        },
    ),
    (
        "SendMessageBatch",
        {
            "QueueUrl": "u",
            "Entries": [
                {"Id": "1", "MessageBody": "a", "MessageAttributes": ATTRIBUTES},
                {"Id": "2", "MessageBody": "b", "DelaySeconds": 3},
            ]
            + [{"Id": f"x{i}", "MessageBody": "c"} for i in range(8)],
        },
    ),
    (
        "ReceiveMessage",
        {
            "QueueUrl": "u",
            "AttributeNames": ["All"],
            "MessageAttributeNames": ["a.*", "b"],
            "MaxNumberOfMessages": 10,
            "VisibilityTimeout": 0,
            "WaitTimeSeconds": 20,
        },
    ),
    ("DeleteMessage", {"QueueUrl": "u", "ReceiptHandle": "AQEB+/="}),
    ("DeleteMessageBatch", {"QueueUrl": "u", "Entries": [{"Id": "1", "ReceiptHandle": "h1"}]}),
    (
        "ChangeMessageVisibilityBatch",
        {"QueueUrl": "u", "Entries": [{"Id": "1", "ReceiptHandle": "h1", "VisibilityTimeout": 10}]},
    ),
    ("TagQueue", {"QueueUrl": "u", "Tags": {"k": "v"}}),
    ("UntagQueue", {"QueueUrl": "u", "TagKeys": ["k", "l"]}),
    (
        "AddPermission",
        {
            "QueueUrl": "u",
            "Label": "l",
            "AWSAccountIds": ["111122223333"],
            "Actions": ["SendMessage", "ReceiveMessage"],
        },
    ),
    ("ListQueues", {"QueueNamePrefix": "p", "MaxResults": 5, "NextToken": "t"}),
    ("SendMessageBatch", {"QueueUrl": "u", "Entries": []}),
]
MESSAGE = {
    "MessageId": "m",
    "ReceiptHandle": "r",
    "MD5OfBody": "d",
    "Body": "a\r\n<b>&",
    "Attributes": {"SenderId": "s", "SentTimestamp": "1"},
    "MD5OfMessageAttributes": "e",
    "MessageAttributes": {
        "s": {"DataType": "String", "StringValue": "v"},
        "b": {"DataType": "Binary", "BinaryValue": "AAE="},
    },
}
RESULTS: list[tuple[str, dict[str, Any]]] = [
    ("CreateQueue", {"QueueUrl": "http://h/1/q"}),
    ("ListQueues", {"QueueUrls": ["http://h/1/a", "http://h/1/b"], "NextToken": "n"}),
    ("ListQueues", {}),
    ("GetQueueAttributes", {"Attributes": {"VisibilityTimeout": "30", "Policy": '{"x": "<&>"}'}}),
    ("ReceiveMessage", {"Messages": [MESSAGE, {**MESSAGE, "MessageId": "m2"}]}),
    ("ReceiveMessage", {}),
    (
        "SendMessage",
        {
            "MessageId": "m",
            "MD5OfMessageBody": "a",
            "MD5OfMessageAttributes": "b",
            "MD5OfMessageSystemAttributes": "c",
        },
    ),
    (
        "SendMessageBatch",
        {
            "Successful": [{"Id": "1", "MessageId": "m", "MD5OfMessageBody": "a"}],
            "Failed": [{"Id": "2", "SenderFault": True, "Code": "C", "Message": "M"}],
        },
    ),
    ("DeleteMessageBatch", {"Successful": [{"Id": "1"}, {"Id": "2"}]}),
    ("ChangeMessageVisibilityBatch", {"Successful": [{"Id": "1"}]}),
    ("ListQueueTags", {"Tags": {"a": "b"}}),
    ("DeleteQueue", {}),
    ("SendMessage", {"MessageId": "m", "MD5OfMessageBody": "a", "SequenceNumber": "10000000000000000001"}),
    ("ListDeadLetterSourceQueues", {"queueUrls": ["http://h/1/a"], "NextToken": "n"}),
    ("StartMessageMoveTask", {"TaskHandle": "eyJ0YXNrSWQiOiIxIn0="}),
    ("CancelMessageMoveTask", {"ApproximateNumberOfMessagesMoved": 12}),
    (
        "ListMessageMoveTasks",
        {
            "Results": [
                {
                    "TaskHandle": "h",
                    "Status": "RUNNING",
                    "SourceArn": "arn:aws:sqs:us-east-1:1:dlq",
                    "DestinationArn": "arn:aws:sqs:us-east-1:1:q",
                    "MaxNumberOfMessagesPerSecond": 5,
                    "ApproximateNumberOfMessagesMoved": 1,
                    "ApproximateNumberOfMessagesToMove": 3,
                    "StartedTimestamp": 1700000000000,
                },
                {"Status": "FAILED", "SourceArn": "a", "FailureReason": "R", "StartedTimestamp": 1},
            ]
        },
    ),
]


@pytest.fixture(scope="module")
def models() -> dict[str, ServiceModel]:
    session = botocore.session.get_session()
    current = session.get_service_model("sqs")
    legacy_session = botocore.session.get_session()
    legacy_session.get_component("data_loader").search_paths.insert(0, str(query_model_dir()))
    legacy = legacy_session.get_service_model("sqs")
    assert (current.protocol, legacy.protocol) == ("json", "query")
    return {"json": current, "query": legacy}


@pytest.mark.parametrize(
    ("operation", "params"), REQUESTS, ids=[f"{o}-{i}" for i, (o, _) in enumerate(REQUESTS)]
)
def test_query_requests_decode_like_json_requests(
    models: dict[str, ServiceModel], operation: str, params: dict[str, Any]
) -> None:
    json_body = create_serializer("json").serialize_to_request(
        params, models["json"].operation_model(operation)
    )["body"]
    form = create_serializer("query").serialize_to_request(
        params, models["query"].operation_model(operation)
    )["body"]
    decoded = query.decode({k: str(v) for k, v in form.items()}, sqs_query.INPUTS.get(operation, Struct()))
    expected = json.loads(json_body)
    assert _stringify(decoded) == _stringify(expected)


def _stringify(value: Any) -> Any:
    """Query carries every scalar as text; the service reads numbers from either form."""
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    return str(value)


@pytest.mark.parametrize(
    ("operation", "result"), RESULTS, ids=[f"{o}-{i}" for i, (o, _) in enumerate(RESULTS)]
)
def test_xml_results_parse_like_json_results(
    models: dict[str, ServiceModel], operation: str, result: dict[str, Any]
) -> None:
    def parsed(protocol: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        output = models[protocol].operation_model(operation).output_shape
        response = {"body": body, "headers": headers, "status_code": 200}
        value: dict[str, Any] = create_parser(protocol).parse(response, output)
        value.pop("ResponseMetadata", None)
        return value

    as_json = json10.encode_result(result, "rid")
    as_xml = query.encode_result(operation, result, "rid", sqs_query.OUTPUT)
    assert parsed("query", as_xml.body, as_xml.headers) == parsed("json", as_json.body, as_json.headers)
    assert b"\r" not in as_xml.body


_text = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20)
_attribute = st.one_of(
    st.builds(lambda v: {"DataType": "String", "StringValue": v}, _text),
    st.builds(lambda v: {"DataType": "Binary", "BinaryValue": v}, st.binary(min_size=1, max_size=20)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=_text,
    attributes=st.dictionaries(st.from_regex(r"[A-Za-z0-9_]{1,10}", fullmatch=True), _attribute, max_size=5),
    entries=st.integers(min_value=1, max_value=10),
)
def test_any_send_batch_decodes_like_json(
    models: dict[str, ServiceModel], body: str, attributes: dict[str, Any], entries: int
) -> None:
    # An empty map is left out by the query serializer and sent as {} by the JSON one: equivalent.
    extra = {"MessageAttributes": attributes} if attributes else {}
    params = {
        "QueueUrl": "u",
        "Entries": [{"Id": f"e{i}", "MessageBody": body, **extra} for i in range(entries)],
    }
    test_query_requests_decode_like_json_requests(models, "SendMessageBatch", params)


_XML_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_XML_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True)
_XML_ELEMENT = st.recursive(  # what the encoder builds: elements hold text, nothing, members, or repeats
    st.none() | _XML_TEXT,
    lambda element: st.dictionaries(
        _XML_NAME, element | st.lists(element, min_size=1, max_size=3), max_size=4
    ),
    max_leaves=20,
)
_XML_TREE = _XML_ELEMENT | st.lists(_XML_ELEMENT, min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(_XML_NAME, st.dictionaries(_XML_NAME, _XML_TREE, max_size=4), st.none() | _XML_TEXT)
def test_replies_render_as_xmltodict_renders_them(
    root: str, members: dict[str, Any], namespace: str | None
) -> None:
    document = {root: ({"@xmlns": namespace} if namespace is not None else {}) | members}
    assert query.render_xml(document) == xmltodict.unparse(document, short_empty_elements=True)


_FORM_TEXT = st.text(st.sampled_from("ab=&%+;2FfZé\u2713 "), max_size=24)


@settings(max_examples=500, deadline=None)
@given(_FORM_TEXT)
def test_form_bodies_split_as_parse_qsl_splits_them(text: str) -> None:
    """The form reader's shortcut (decode only what holds `%` or `+`) reads what urllib would."""
    assert query.form_pairs(text) == parse_qsl(text, keep_blank_values=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4_102_444_800_000), min_size=1, max_size=5))
def test_timestamps_with_the_second_reused_match_datetimes(moments: list[int]) -> None:
    """iso_millis keeps the last second's text: any order of moments still gets each one's own."""
    for now_ms in moments:
        moment = datetime.datetime.fromtimestamp(now_ms // 1000, datetime.UTC)
        assert iso_millis(now_ms) == moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}Z"
