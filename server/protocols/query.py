"""The AWS query protocol: form or URL parameters in, XML out (or JSON, for callers that ask for it).

Decoding turns flattened names (`Attribute.1.Name=...`) into the same nested parameters the JSON protocol
carries, guided by a per-service table of the lists and maps each operation has (`server.wire` shapes, from
the service's descriptor). Encoding does the reverse for results, with another table naming the repeated
XML elements. A request whose `Accept` names application/json gets the same document as JSON, as AWS
answers it: `{"<Action>Response": {"<Action>Result": {...}, "ResponseMetadata": {...}}}`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus
from xml.sax.saxutils import quoteattr

import orjson

from server.errors import AwsError
from server.http import HttpResponse
from server.wire import ListOf, MapOf, Scalar, Shape, Struct, XmlNames

MEDIA_TYPE = "text/xml"
JSON_MEDIA_TYPE = "application/json"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_AUTH_PARAMETERS = {
    "AWSAccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "Timestamp",
    "Expires",
    "SecurityToken",
}


# -- decoding ----------------------------------------------------------------------------------------


Tree = dict[str, Any]


def form_pairs(text: str) -> list[tuple[str, str]]:
    """`parse_qsl(text, keep_blank_values=True)`, a third of its cost: only what holds `%` or `+` is decoded
    (a Publish body is read on every publish)."""
    pairs = []
    for piece in text.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            if "%" in name or "+" in name:
                name = unquote_plus(name, errors="replace")
            if "%" in value or "+" in value:
                value = unquote_plus(value, errors="replace")
            pairs.append((name, value))
    return pairs


def read_form(url_query: str, body: bytes) -> dict[str, str]:
    """URL query and form body merged (the body wins), without signature parameters."""
    params = dict(form_pairs(url_query)) if url_query else {}
    params.update(form_pairs(body.decode("utf-8", errors="replace")))
    return {k: v for k, v in params.items() if k not in _AUTH_PARAMETERS and not k.startswith("X-Amz-")}


# The deepest name any query operation has is 7 parts (`Entries.1.MessageAttribute.1.Value.StringListValue.1`);
# deeper names name nothing, and are dropped as unknown parameters are, instead of built into deep trees.
MAX_NAME_PARTS = 12


def _tree(flat: dict[str, str]) -> Tree:
    root: Tree = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".", MAX_NAME_PARTS)
        if len(parents) >= MAX_NAME_PARTS:
            continue
        node = root
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if not isinstance(node.get(leaf), dict):
            node[leaf] = value
    return root


def _numbered(node: Tree) -> list[Any]:
    return [node[k] for k in sorted((k for k in node if k.isdigit()), key=int)]


def _convert(node: Any, shape: Shape) -> Any:
    if node == "" and isinstance(shape, ListOf | MapOf):
        return [] if isinstance(shape, ListOf) else {}  # botocore sends `Name=` for an empty list
    if not isinstance(node, dict) or isinstance(shape, Scalar):
        return node
    if isinstance(shape, ListOf | MapOf) and shape.wrapper is not None:
        node = node.get(shape.wrapper)  # `Name.member.N` / `Name.entry.N`: the numbers are one level down
        if not isinstance(node, dict):
            return [] if isinstance(shape, ListOf) else {}
    if isinstance(shape, ListOf):
        return [_convert(item, shape.item) for item in _numbered(node)]
    if isinstance(shape, MapOf):
        return {
            entry[shape.key]: _convert(entry.get(shape.value), shape.item)
            for entry in _numbered(node)
            if isinstance(entry, dict) and isinstance(entry.get(shape.key), str)
        }
    converted: Tree = {}
    for name, child in node.items():
        target, child_shape = shape.fields.get(name) or shape.by_parameter().get(name, (name, Scalar()))
        converted[target] = _convert(child, child_shape)
    return converted


def decode(flat: dict[str, str], shape: Struct) -> dict[str, Any]:
    tree = _tree({k: v for k, v in flat.items() if k not in ("Action", "Version")})
    result: dict[str, Any] = _convert(tree, shape)
    return result


# -- encoding ----------------------------------------------------------------------------------------


def _xml_value(value: Any, operation: str, names: XmlNames) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return _xml_members(value, operation, names)
    return str(value)


def _xml_members(result: dict[str, Any], operation: str, names: XmlNames) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name, value in result.items():
        if name in names.wrapped_lists and isinstance(value, list):
            members[name] = {
                names.wrapped_lists[name]: [_xml_value(item, operation, names) for item in value]
            }
        elif name in names.wrapped_maps and isinstance(value, dict):
            entry, key, val = names.wrapped_maps[name]
            members[name] = {
                entry: [{key: k, val: _xml_value(v, operation, names)} for k, v in value.items()]
            }
        elif isinstance(value, list):
            element = names.operation_lists.get((operation, name)) or names.lists.get(name, name)
            members[element] = [_xml_value(item, operation, names) for item in value]
        elif name in names.maps and isinstance(value, dict):
            element, key, val = names.maps[name]
            members[element] = [{key: k, val: _xml_value(v, operation, names)} for k, v in value.items()]
        else:
            members[name] = _xml_value(value, operation, names)
    return members


# Characters XML 1.0 cannot carry at all. Stored values are checked at the door; what still holds one (an error
# message quoting the bad input) shows U+FFFD in its place, so every answer parses.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _emit(name: str, value: Any, out: list[str]) -> None:
    """xmltodict's layout (`@name` keys are attributes, a list repeats its element, None is empty), written
    straight to strings: a reply costs a third of what xmltodict.unparse takes (27 µs against 83 µs for a
    ten-entry PublishBatch), on every query-protocol answer. tests/test_codecs.py holds the two equal.

    An empty element closes itself, as AWS writes it: an empty receive is `<ReceiveMessageResult/>`."""
    if isinstance(value, str):  # the leaves first: most elements are
        if not value:
            out.append(f"<{name}/>")
        elif "&" in value or "<" in value or ">" in value:
            out.append(f"<{name}>{value.translate(_ESCAPES)}</{name}>")
        else:
            out.append(f"<{name}>{value}</{name}>")
    elif isinstance(value, dict):
        tag = name
        start = len(out)
        out.append("")  # the start tag, once its attributes are known
        for child, item in value.items():
            if child[:1] == "@":
                tag += f" {child[1:]}={quoteattr(item)}"
            else:
                _emit(child, item, out)
        if len(out) == start + 1:
            out[start] = f"<{tag}/>"
        else:
            out[start] = f"<{tag}>"
            out.append(f"</{name}>")
    elif isinstance(value, list):
        for item in value:
            _emit(name, item, out)
    else:
        out.append(f"<{name}/>")


def render_xml(document: dict[str, Any]) -> str:
    out = [_DECLARATION]
    for name, value in document.items():
        _emit(name, value, out)
    return "".join(out)


def _render(document: dict[str, Any]) -> bytes:
    text = render_xml(document)
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("\ufffd", text)
    # A raw carriage return would come back as a newline from any XML parser (and break body MD5s).
    return text.replace("\r", "&#xD;").encode("utf-8")


def encode_result(operation: str, result: dict[str, Any], request_id: str, names: XmlNames) -> HttpResponse:
    response: dict[str, Any] = {"@xmlns": names.namespace}
    if operation not in names.without_result:
        response[f"{operation}Result"] = _xml_members(result, operation, names) or None
    response["ResponseMetadata"] = {"RequestId": request_id}
    body = _render({f"{operation}Response": response})
    return HttpResponse(200, body, MEDIA_TYPE, {"x-amzn-RequestId": request_id})


def wants_json(accept: str) -> bool:
    """Whether an `Accept` header asks for application/json (AWS's JSON rendering of query replies)."""
    return any(part.partition(";")[0].strip().lower() == JSON_MEDIA_TYPE for part in accept.split(","))


def encode_result_json(
    operation: str, result: dict[str, Any], request_id: str, names: XmlNames
) -> HttpResponse:
    response: dict[str, Any] = {}
    if operation not in names.without_result:
        rename = names.json_members
        response[f"{operation}Result"] = {rename.get((operation, k), k): v for k, v in result.items()}
    response["ResponseMetadata"] = {"RequestId": request_id}
    body = orjson.dumps({f"{operation}Response": response})
    return HttpResponse(200, body, JSON_MEDIA_TYPE, {"x-amzn-RequestId": request_id})


def encode_error_json(error: AwsError, request_id: str) -> HttpResponse:
    detail = {
        "Type": "Sender" if error.sender_fault else "Receiver",
        "Code": error.code,
        "Message": error.query_message or error.message,
    }
    body = orjson.dumps({"Error": detail, "RequestId": request_id})
    return HttpResponse(error.status, body, JSON_MEDIA_TYPE, {"x-amzn-RequestId": request_id})


def encode_error(error: AwsError, request_id: str, names: XmlNames | None) -> HttpResponse:
    """The query protocol's ErrorResponse, in the service's namespace, with an empty `<Detail/>` where the
    service writes one (SQS does, SNS and STS do not); `names` is None when no service could be told apart."""
    detail: dict[str, Any] = {
        "Type": "Sender" if error.sender_fault else "Receiver",
        "Code": error.code,
        "Message": error.query_message or error.message,
    }
    if names is None or names.error_detail:
        detail["Detail"] = None
    namespace = names.namespace if names is not None else None
    document = {"Error": detail, "RequestId": request_id}
    body = _render({"ErrorResponse": {"@xmlns": namespace, **document} if namespace else document})
    return HttpResponse(error.status, body, MEDIA_TYPE, {"x-amzn-RequestId": request_id})
