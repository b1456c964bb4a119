"""Malformed SNS requests, built from botocore's SNS model (query protocol) and broken on purpose, then every
stored value read back.

    python -m tests.campaign.sns_corpus [--seed 23] [--rounds 3] [--endpoint URL]

Every operation is called as botocore's query serializer would call it, with values picked per member (a
topic, a subscription, a platform application and endpoint the replay creates first), then with one mutation
per case (see tests.campaign.model_corpus), and a form that is not one. A value botocore will not serialize
(a map given as text, a value nested a thousand deep) is sent as a form field by hand. After the cases, every
topic's and subscription's attributes are read back. No reply may be a 5xx or unparseable by botocore's query
parser. Without --endpoint it starts a Posthouse of this checkout; the figures are one JSON object on stdout.
"""

from __future__ import annotations

import collections
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import botocore.session
from botocore.model import OperationModel
from botocore.serialize import create_serializer

from tests.campaign.model_corpus import Deep, Wire, command_line, every_call, problem, send

ACCOUNT = "000000000000"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:corpus-topic"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:corpus-sns-target"
_BY_NAME: dict[str, Any] = {
    "TopicArn": TOPIC_ARN,
    "TargetArn": TOPIC_ARN,
    "Name": "corpus-topic",
    "Protocol": "sqs",
    "Endpoint": QUEUE_ARN,
    "Message": "hello",
    "AttributeName": "DisplayName",
    "AttributeValue": "corpus",
    "Label": "corpus-label",
    "AWSAccountId": [ACCOUNT],
    "ActionName": ["Publish"],
    "ResourceArn": TOPIC_ARN,
    "Tags": [{"Key": "team", "Value": "corpus"}],
    "TagKeys": ["team"],
    "Platform": "GCM",
    "Attributes": {"PlatformCredential": "key"},
    "Token": "corpus-token",
    "PhoneNumber": "+15555550100",
}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _form(operation: OperationModel, params: dict[str, Any]) -> Wire:
    serializer = create_serializer("query", include_validation=False)
    try:
        body = serializer.serialize_to_request(params, operation)["body"]
    except Exception:  # a value no SDK could send: each member as one form field, by hand
        body = {"Action": operation.name, "Version": "2010-03-31"}
        for name, member in params.items():
            body[name] = Deep.TEXT if isinstance(member, Deep) else json.dumps(member, default=str)
    return "POST", "/", dict(FORM), urlencode(body, doseq=True).encode()


def cases(seed: int, rounds: int) -> list[tuple[str, Wire]]:
    built = []
    for operation, _, calls in every_call("sns", _BY_NAME, seed, rounds):
        name = operation.name
        built += [(name, _form(operation, params)) for params in calls]
        built.append((name, ("POST", "/", dict(FORM), f"Action={name}&Version=2010-03-31&%ZZ=%".encode())))
    return built


def _call(netloc: str, operation: str, **params: str) -> dict[str, Any]:
    body = urlencode({"Action": operation, "Version": "2010-03-31", **params}).encode()
    status, _, answer = send(netloc, ("POST", "/", {**FORM, "Accept": "application/json"}, body), "sns")
    reply: dict[str, Any] = json.loads(answer) if status < 300 else {}
    return reply


def _setup(netloc: str) -> None:
    queue = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue"}
    send(netloc, ("POST", "/", queue, json.dumps({"QueueName": QUEUE_ARN.rsplit(":", 1)[1]}).encode()), "sqs")
    _call(netloc, "CreateTopic", Name="corpus-topic")
    _call(netloc, "Subscribe", TopicArn=TOPIC_ARN, Protocol="sqs", Endpoint=QUEUE_ARN)


def _read_back(netloc: str, model: Any) -> list[tuple[str, Wire]]:
    """Every topic's and subscription's attributes: what was stored must read back."""
    reads: list[tuple[str, Wire]] = []
    topics = _call(netloc, "ListTopics").get("ListTopicsResponse", {}).get("ListTopicsResult", {})
    for topic in topics.get("Topics") or []:
        params = {"TopicArn": topic["TopicArn"]}
        reads.append(("GetTopicAttributes", _form(model.operation_model("GetTopicAttributes"), params)))
    listed = _call(netloc, "ListSubscriptions").get("ListSubscriptionsResponse", {})
    for subscription in listed.get("ListSubscriptionsResult", {}).get("Subscriptions") or []:
        params = {"SubscriptionArn": subscription["SubscriptionArn"]}
        reads.append(
            ("GetSubscriptionAttributes", _form(model.operation_model("GetSubscriptionAttributes"), params))
        )
    return reads


def replay(endpoint: str, seed: int = 23, rounds: int = 1) -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model("sns")
    netloc = urlsplit(endpoint).netloc
    statuses: collections.Counter[int] = collections.Counter()
    problems: list[dict[str, Any]] = []
    _setup(netloc)
    built = cases(seed, rounds)
    for phase in (built, None):
        for operation, wire in phase if phase is not None else _read_back(netloc, model):
            status, headers, answer = send(netloc, wire, "sns")
            statuses[status] += 1
            found = problem("query", model.operation_model(operation), status, headers, answer)
            if found is not None:
                problems.append(
                    {"operation": operation, "body": wire[3][:200].decode(errors="replace"), "problem": found}
                )
    return {
        "cases": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "problems": problems[:50],
    }


def main() -> None:
    command_line(__doc__.splitlines()[0], replay, 23)


if __name__ == "__main__":
    main()
