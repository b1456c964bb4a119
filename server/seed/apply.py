"""Creating what a seed declares and the server does not have yet, through the operations SDKs call (so a
seeded queue is exactly what CreateQueue makes). Persisted state wins: whatever exists is left as it is."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import zipfile
from typing import Any

from server.errors import AwsError
from server.internal_calls import call
from server.registry import Registry
from server.seed.document import Item, Seed

_NOT_FOUND = {"AWS.SimpleQueueService.NonExistentQueue", "NotFound", "ResourceNotFoundException"}
"""What SQS, SNS and Lambda answer for a resource that does not exist."""


class _Calls:
    """The seed's requests: one account and region, answered by the services' own handlers."""

    def __init__(self, registry: Registry, seed: Seed, account: str, region: str, base_url: str) -> None:
        self._registry = registry
        self.seed = seed
        self.account = account
        self.region = region
        self._base_url = base_url

    async def __call__(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return await call(
            self._registry, service, operation, params, self.account, self.region, self._base_url
        )

    async def exists(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        try:
            await self(service, operation, params)
        except AwsError as error:
            if error.code in _NOT_FOUND:
                return False
            raise
        return True

    def arn(self, service: str, resource: str) -> str:
        if resource.startswith("arn:"):
            return resource
        if service == "lambda":
            return f"arn:aws:lambda:{self.region}:{self.account}:function:{resource}"
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def _texts(values: dict[str, Any] | None) -> dict[str, str]:
    """Attribute maps as the APIs take them: text (`true`, not True)."""
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (values or {}).items()}


async def apply(seed: Seed, registry: Registry, account: str, region: str, base_url: str) -> list[str]:
    """Create what is missing; what was created, one line each (`queue orders`). A failure is a SeedError
    that names the item's line."""
    calls = _Calls(registry, seed, seed.account or account, seed.region or region, base_url)
    created: list[str] = []
    for kind, items, step in (
        ("queue", seed.queues, _queue),
        ("topic", seed.topics, _topic),
        ("function", seed.functions, _function),
        ("event source mapping", seed.mappings, _mapping),
    ):
        for item in items:
            try:
                created += await step(calls, item)
            except AwsError as error:
                raise seed.error(
                    item, f"{kind} {item.data.get('name', '')}: {error.code}: {error.message}"
                ) from None
    for item in seed.queues:  # dead-letter targets exist once every queue does
        try:
            await _dead_letter(calls, item)
        except AwsError as error:
            raise seed.error(item, f"queue {item.data['name']}: {error.code}: {error.message}") from None
    return created


async def _queue(calls: _Calls, item: Item) -> list[str]:
    name = item.data["name"]
    if await calls.exists("sqs", "GetQueueUrl", {"QueueName": name}):
        return []
    attributes = _texts(item.data.get("attributes"))
    if name.endswith(".fifo"):
        attributes.setdefault("FifoQueue", "true")
    params: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
    if item.data.get("tags"):
        params["tags"] = _texts(item.data["tags"])
    await calls("sqs", "CreateQueue", params)
    return [f"queue {name}"]


async def _dead_letter(calls: _Calls, item: Item) -> None:
    dead_letter = item.data.get("dead_letter")
    if not dead_letter:
        return
    url = (await calls("sqs", "GetQueueUrl", {"QueueName": item.data["name"]}))["QueueUrl"]
    current = await calls("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["RedrivePolicy"]})
    if current.get("Attributes", {}).get("RedrivePolicy"):
        return  # persisted state wins
    policy = {
        "deadLetterTargetArn": calls.arn("sqs", dead_letter["queue"]),
        "maxReceiveCount": dead_letter.get("max_receive_count", 3),
    }
    await calls(
        "sqs", "SetQueueAttributes", {"QueueUrl": url, "Attributes": {"RedrivePolicy": json.dumps(policy)}}
    )


async def _topic(calls: _Calls, item: Item) -> list[str]:
    name = item.data["name"]
    arn = calls.arn("sns", name)
    created = []
    if not await calls.exists("sns", "GetTopicAttributes", {"TopicArn": arn}):
        attributes = _texts(item.data.get("attributes"))
        if name.endswith(".fifo"):
            attributes.setdefault("FifoTopic", "true")
        tags = [{"Key": k, "Value": v} for k, v in _texts(item.data.get("tags")).items()]
        await calls("sns", "CreateTopic", {"Name": name, "Attributes": attributes, "Tags": tags})
        created.append(f"topic {name}")
    listed = await calls("sns", "ListSubscriptionsByTopic", {"TopicArn": arn})
    existing = {(s["Protocol"], s["Endpoint"]) for s in listed.get("Subscriptions", [])}
    for subscription in item.data.get("subscriptions", []):
        protocol = subscription["protocol"]
        endpoint = subscription["endpoint"]
        if protocol in ("sqs", "lambda"):
            endpoint = calls.arn(protocol, endpoint)
        if (protocol, endpoint) in existing:
            continue
        attributes = _texts(subscription.get("attributes"))
        if "raw" in subscription:
            attributes["RawMessageDelivery"] = "true" if subscription["raw"] else "false"
        if "filter_policy" in subscription:
            attributes["FilterPolicy"] = json.dumps(subscription["filter_policy"])
        if "filter_policy_scope" in subscription:
            attributes["FilterPolicyScope"] = subscription["filter_policy_scope"]
        params = {"TopicArn": arn, "Protocol": protocol, "Endpoint": endpoint, "Attributes": attributes}
        await calls("sns", "Subscribe", params)
        created.append(f"subscription {protocol} {endpoint} to {name}")
    return created


def _zipped(folder: str) -> bytes | None:
    """The folder's files as a deployment package; None when there is no such folder."""
    if not os.path.isdir(folder):
        return None
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for directory, _, files in os.walk(folder):
            for file in sorted(files):
                path = os.path.join(directory, file)
                zipped.write(path, os.path.relpath(path, folder))
    return archive.getvalue()


async def _function(calls: _Calls, item: Item) -> list[str]:
    data = item.data
    if await calls.exists("lambda", "GetFunction", {"FunctionName": data["name"]}):
        return []
    folder = os.path.join(calls.seed.base_dir, data["code"])
    package = await asyncio.to_thread(_zipped, folder)
    if package is None:
        raise calls.seed.error(item, f"function {data['name']}: code folder {folder} does not exist")
    params: dict[str, Any] = {
        "FunctionName": data["name"],
        "Runtime": data["runtime"],
        "Handler": data["handler"],
        "Role": data.get("role", f"arn:aws:iam::{calls.account}:role/posthouse-seed"),
        "Code": {"ZipFile": base64.b64encode(package).decode()},
    }
    if "environment" in data:
        params["Environment"] = {"Variables": _texts(data["environment"])}
    if "timeout" in data:
        params["Timeout"] = data["timeout"]
    if "memory_size" in data:
        params["MemorySize"] = data["memory_size"]
    await calls("lambda", "CreateFunction", params)
    return [f"function {data['name']}"]


async def _mapping(calls: _Calls, item: Item) -> list[str]:
    data = item.data
    source = calls.arn("sqs", data["queue"])
    listed = await calls(
        "lambda", "ListEventSourceMappings", {"FunctionName": data["function"], "EventSourceArn": source}
    )
    if listed.get("EventSourceMappings"):
        return []
    params: dict[str, Any] = {"FunctionName": data["function"], "EventSourceArn": source}
    for key, name in (
        ("batch_size", "BatchSize"),
        ("maximum_batching_window", "MaximumBatchingWindowInSeconds"),
        ("enabled", "Enabled"),
    ):
        if key in data:
            params[name] = data[key]
    if data.get("filter_patterns"):
        params["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps(p)} for p in data["filter_patterns"]]}
    if data.get("report_batch_item_failures"):
        params["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    await calls("lambda", "CreateEventSourceMapping", params)
    return [f"event source mapping {data['queue']} -> {data['function']}"]
