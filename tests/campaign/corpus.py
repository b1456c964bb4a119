"""The malformed-input corpus: requests built from botocore's SQS shapes, then broken on purpose.

    python -m tests.campaign.corpus [--cases 10400] [--seed 8] [--out tests/campaign/corpus.jsonl.gz]

Each case starts as a valid call of one operation (values picked per member name from the model), then gets one
mutation: at the value level (a member dropped, retyped, oversized, nested a thousand deep, given characters XML
forbids, an unknown enum) or at the wire level (form keys with odd indexes, duplicated or unknown keys, invalid
percent-encoding, truncated or garbled bodies, odd media types and targets, unknown actions). Half the cases
speak AWS JSON 1.0 (the current model), half the query protocol (the last query model), plus admin-route cases.
The output is deterministic for a seed and kept in the repo; `tests.campaign.malformed` replays it.
"""

from __future__ import annotations

import argparse
import base64
import copy
import gzip
import json
import random
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.serialize import create_serializer

from conformance.clients import query_model_dir

CORPUS = Path(__file__).with_name("corpus.jsonl.gz")
ACCOUNT = "000000000000"
STANDARD_URL = f"http://localhost:4566/{ACCOUNT}/corpus-standard"
FIFO_URL = f"http://localhost:4566/{ACCOUNT}/corpus.fifo"
DLQ_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:corpus-dlq"
# Queues the replay creates first; DeleteQueue cases name a queue that is not there, so they never remove these.
SETUP_QUEUES = ("corpus-standard", "corpus.fifo", "corpus-dlq")
DEEP = 1000

# Valid values for members the model alone cannot fill sensibly.
_BY_NAME: dict[str, Any] = {
    "QueueName": "corpus-made",
    "QueueNamePrefix": "corpus",
    "MessageBody": "hello",
    "ReceiptHandle": base64.b64encode(b"1:1:00000000-0000-0000-0000-000000000000:00000000").decode(),
    "Attributes": {"VisibilityTimeout": "30"},
    "AttributeNames": ["All"],
    "MessageAttributeNames": ["All"],
    "MessageSystemAttributeNames": ["All"],
    "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"}},
    "MessageSystemAttributes": {
        "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}
    },
    "DataType": "String",
    "StringValue": "blue",
    "tags": {"team": "corpus"},
    "Tags": {"team": "corpus"},
    "TagKeys": ["team"],
    "Label": "corpus-label",
    "AWSAccountIds": ["123456789012"],
    "Actions": ["SendMessage"],
    "SourceArn": DLQ_ARN,
    "DestinationArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:corpus-standard",
    "TaskHandle": base64.b64encode(b'{"taskId":"t","sourceArn":"' + DLQ_ARN.encode() + b'"}').decode(),
    "MessageGroupId": "group",
    "MessageDeduplicationId": "dedup",
    "ReceiveRequestAttemptId": "attempt",
    "Id": "entry",
    "WaitTimeSeconds": 0,  # a valid long poll would make the replay wait; mutations never make one valid
    "MaxNumberOfMessages": 1,
    "VisibilityTimeout": 0,
    "DelaySeconds": 0,
    "MaxResults": 10,
    "MaxNumberOfMessagesPerSecond": 1,
}

_NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x01b",
    "\ufffe",
    "\uffff",
    "<&>\"'",
    "\u202e",
    "💥" * 3,
    "%00",
    "..",
    "/",
    "\\",
]
_NUMBERS: list[Any] = [-1, 2**31, 2**63, -(2**63) - 1, 10**400, 1.5, "12abc", "-0", "1e3", "NaN", "Infinity"]
_WRONG_TYPES: list[Any] = [None, True, False, 0, [], {}, [1, 2], {"a": {"b": "c"}}, "text", 3.25]


def _deep_list() -> Any:
    value: Any = "x"
    for _ in range(DEEP):
        value = [value]
    return value


def _bad_values(shape: Shape, rng: random.Random) -> Any:
    """A value this member should refuse."""
    kind = shape.type_name
    choices: list[Any] = list(_WRONG_TYPES)
    if kind in ("integer", "long"):
        choices += _NUMBERS * 2
    elif kind == "string":
        choices += _NASTY_TEXT * 2 + ["x" * rng.choice([81, 257, 1025, 262_145])]
        if getattr(shape, "enum", None):
            choices += ["all", "NotAnAttribute", shape.enum[0].lower()]
    elif kind == "list":
        choices += [["x"] * 1001, [None], [[]], [{"k": "v"}]]
    elif kind == "map":
        choices += [{"": "v"}, {"k": None}, {"k": []}, {f"k{i}": "v" for i in range(51)}, {"\x00": "\uffff"}]
    elif kind == "structure":
        choices += [{"Unknown": 1}, {k: None for k in shape.members}]
    elif kind == "blob":
        choices += ["not base64!", "=" * 7, "ÿ"]
    if rng.random() < 0.05:
        choices.append(_deep_list())
    return rng.choice(choices)


def valid_value(name: str, shape: Shape, rng: random.Random, fifo: bool) -> Any:
    if name in _BY_NAME:
        return copy.deepcopy(_BY_NAME[name])  # mutations change values in place
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        required = set(shape.required_members)
        chosen = {n for n in members if n in required or rng.random() < 0.5}
        if not fifo:
            chosen -= {"MessageGroupId", "MessageDeduplicationId"}
        return {n: valid_value(n, members[n], rng, fifo) for n in members if n in chosen}
    if kind == "list":
        member = shape.member
        return [_entry(valid_value(name, member, rng, fifo), i) for i in range(rng.randint(1, 3))]
    if kind == "map":
        return {"k": valid_value("value", shape.value, rng, fifo)}
    if kind in ("integer", "long"):
        return 1
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"blob"
    return shape.enum[0] if getattr(shape, "enum", None) else "value"


def _entry(value: Any, index: int) -> Any:
    """Batch entries need distinct ids to be valid."""
    return {**value, "Id": f"e{index}"} if isinstance(value, dict) and "Id" in value else value


def _members(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a nested value, the value itself excluded."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, inner in items:
        found.append((*path, key))
        found += _members(inner, (*path, key))
    return found


def _shape_at(shape: Shape, path: tuple[Any, ...]) -> Shape:
    for key in path:
        if shape.type_name == "structure":
            shape = shape.members[key]
        elif shape.type_name == "list":
            shape = shape.member
        elif shape.type_name == "map":
            shape = shape.value
    return shape


def mutate_value(params: dict[str, Any], shape: Shape, rng: random.Random) -> dict[str, Any]:
    paths = _members(params)
    roll = rng.random()
    if roll < 0.1 or not paths:
        params["UnknownMember" if roll < 0.05 else "queueurl"] = rng.choice(_WRONG_TYPES + _NASTY_TEXT)
        return params
    path = rng.choice(paths)
    parent: Any = params
    for key in path[:-1]:
        parent = parent[key]
    if roll < 0.3:
        del parent[path[-1]]
    else:
        parent[path[-1]] = _bad_values(_shape_at(shape, path), rng)
    return params


def baseline(operation: OperationModel, rng: random.Random) -> dict[str, Any]:
    fifo = rng.random() < 0.35
    params: dict[str, Any] = (
        valid_value("input", operation.input_shape, rng, fifo) if operation.input_shape else {}
    )
    if "QueueUrl" in params:
        params["QueueUrl"] = FIFO_URL if fifo else STANDARD_URL
        if operation.name == "DeleteQueue":
            params["QueueUrl"] = f"http://localhost:4566/{ACCOUNT}/corpus-never-created"
    return params


def _json_body(params: dict[str, Any]) -> bytes:
    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return base64.b64encode(value).decode()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * DEEP))
    try:
        return json.dumps(plain(params)).encode()
    finally:
        sys.setrecursionlimit(limit)


_FORM_KEY_MUTATIONS = (".0", ".-1", ".99999999999999999999", ".x", ".", "..1", ".1.1.1.1")


def mutate_form(pairs: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    roll = rng.random()
    index = rng.randrange(len(pairs))
    key, value = pairs[index]
    if roll < 0.2 and "." in key:
        head, _, _ = key.rpartition(".")
        pairs[index] = (head + rng.choice(_FORM_KEY_MUTATIONS), value)
    elif roll < 0.35:
        pairs.append((key, rng.choice(_NASTY_TEXT)))  # the same key twice
    elif roll < 0.45:
        pairs.append(
            (
                rng.choice(["Attribute", "MessageAttribute.1.Value", "Tag.1.Key", "Foo.Bar"])
                + ".1" * rng.randint(1, 40),
                "x",
            )
        )
    elif roll < 0.55 and key != "Action":
        del pairs[index]
    elif roll < 0.65:
        pairs[index] = (
            key,
            rng.choice(["Receive Message", "sendmessage", "", "GetQueueUrl\x00", "ListTopics"])
            if key == "Action"
            else "",
        )
    else:
        pairs[index] = (key, str(rng.choice(_NUMBERS + _NASTY_TEXT + ["x" * 300])))
    return pairs


def _form(pairs: list[tuple[str, str]], rng: random.Random) -> bytes:
    body = urlencode(pairs).encode()
    if rng.random() < 0.08:
        body += rng.choice([b"&Bad=%ff%fe", b"&%zz=1", b"&=&&=", b"&Key%00=v", b"&MessageBody=%C3%28"])
    return body


def _wire_mutation(case: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Damage at the HTTP level: the body, the media type, the target, the method."""
    body = base64.b64decode(case["body"])
    roll = rng.random()
    if roll < 0.3 and body:
        body = body[: rng.randrange(len(body))]
    elif roll < 0.5 and body:
        garbled = bytearray(body)
        for _ in range(rng.randint(1, 8)):
            garbled[rng.randrange(len(garbled))] = rng.randrange(256)
        body = bytes(garbled)
    elif roll < 0.7:
        case["headers"]["Content-Type"] = rng.choice(
            [
                "APPLICATION/X-AMZ-JSON-1.0",
                "text/plain",
                "application/json",
                "application/x-www-form-urlencoded; charset=latin-1",
                "",
                "multipart/form-data; boundary=x",
                "application/x-amz-json-1.1",
            ]
        )
    elif roll < 0.85 and "X-Amz-Target" in case["headers"]:
        case["headers"]["X-Amz-Target"] = rng.choice(
            [
                "AmazonSQS.",
                "AmazonSQS",
                "AmazonSNS.Publish",
                "amazonsqs.SendMessage",
                "AmazonSQS.SendMessage.x",
                "AmazonSQS.__init__",
                "\x00",
            ]
        )
    else:
        case["method"] = rng.choice(["GET", "PUT", "DELETE", "PATCH"])
        if case["method"] == "GET":
            case["path"] = "/?" + quote(body.decode("latin-1")[:4000], safe="=&%")
            body = b""
    case["body"] = base64.b64encode(body).decode()
    return case


def _case(
    protocol: str, method: str, path: str, headers: dict[str, str], body: bytes, label: str
) -> dict[str, Any]:
    return {
        "protocol": protocol,
        "operation": label,
        "method": method,
        "path": path,
        "headers": headers,
        "body": base64.b64encode(body).decode(),
    }


def json_case(model: ServiceModel, name: str, rng: random.Random) -> dict[str, Any]:
    operation = model.operation_model(name)
    params = baseline(operation, rng)
    wire_level = rng.random() < 0.25
    if not wire_level:
        params = mutate_value(params, operation.input_shape, rng)
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{name}"}
    case = _case("json", "POST", "/", headers, _json_body(params), name)
    return _wire_mutation(case, rng) if wire_level else case


def query_case(model: ServiceModel, name: str, rng: random.Random) -> dict[str, Any]:
    operation = model.operation_model(name)
    params = baseline(operation, rng)
    known = {k: v for k, v in params.items() if k in operation.input_shape.members}
    form = create_serializer("query").serialize_to_request(known, operation)["body"]
    pairs = mutate_form(list(form.items()), rng)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    case = _case("query", "POST", "/", headers, _form(pairs, rng), name)
    return _wire_mutation(case, rng) if rng.random() < 0.2 else case


def admin_case(rng: random.Random) -> dict[str, Any]:
    queue = f"/admin/sqs/queues/{ACCOUNT}/us-east-1/corpus-standard"
    limit = quote(str(rng.choice(_NUMBERS + _NASTY_TEXT + [0, 1001, "abc"])), safe="")
    if rng.random() < 0.5:
        return _case(
            "admin",
            "GET",
            rng.choice(
                [
                    f"{queue}/messages?limit={limit}",
                    f"{queue}%00",
                    queue + "/" + "x" * 300,
                    f"/admin/sqs/queues?limit={limit}",
                ]
            ),
            {},
            b"",
            "peek",
        )
    value = rng.choice(_NUMBERS + _WRONG_TYPES + ["1e300", 1e300, -5])
    body = rng.choice(
        [
            json.dumps({"advance_seconds": value}).encode(),
            b"{",
            b"[]",
            b"null",
            json.dumps({"set_epoch": value}).encode(),
        ]
    )
    return _case("admin", "POST", "/admin/clock", {"Content-Type": "application/json"}, body, "clock")


def models() -> tuple[ServiceModel, ServiceModel]:
    json_model = botocore.session.get_session().get_service_model("sqs")
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(query_model_dir()))
    return json_model, session.get_service_model("sqs")


def generate(cases: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    json_model, query_model = models()
    names = sorted(json_model.operation_names)
    corpus = []
    for number in range(cases):
        kind = number % 21
        if kind == 20:
            corpus.append(admin_case(rng))
        elif kind % 2:
            corpus.append(query_case(query_model, rng.choice(names), rng))
        else:
            corpus.append(json_case(json_model, rng.choice(names), rng))
    return corpus


def save(corpus: list[dict[str, Any]], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        for case in corpus:
            out.write(json.dumps(case, sort_keys=True) + "\n")


def load(path: Path = CORPUS) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        return [json.loads(line) for line in source]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_400)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args()
    corpus = generate(args.cases, args.seed)
    save(corpus, args.out)
    print(f"{len(corpus)} cases written to {args.out}")


if __name__ == "__main__":
    main()
