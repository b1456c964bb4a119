"""Concurrent first invocations of a function, in process: they share one pool and unpack its code once
(before, each unpacked it and all but the first failed to move the directory into place)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import orjson

from persistence.engine import Database
from server.app import SERVICES
from server.clock import SystemClock
from server.config import Config
from server.context import RequestContext
from server.runtime import Platform, Runtime
from server.services.lambda_.operations import OPERATIONS
from server.services.lambda_.service import LambdaService
from server.services.params import Params
from tests.test_lambda_functions import ROLE, zipped


async def test_concurrent_first_invocations_share_one_start(tmp_path: Path) -> None:
    config = Config(data_dir=str(tmp_path))
    runtime = Runtime(
        Platform(Database(str(tmp_path / "db"), config.durability), SystemClock(), config), SERVICES
    )
    await runtime.start()
    try:
        service = runtime.service("lambda")
        assert isinstance(service, LambdaService)
        ctx = RequestContext("000000000000", "us-east-1", "r", "http://127.0.0.1:4566")
        source = "def handler(event, context):\n    return event['n']\n"
        create = {"FunctionName": "f", "Runtime": "python3.12", "Role": ROLE, "Handler": "handler.handler"}
        code = {"ZipFile": base64.b64encode(zipped(source)).decode()}
        await OPERATIONS["CreateFunction"](service, Params(create | {"Code": code}), ctx)
        replies = await asyncio.gather(
            *(
                OPERATIONS["Invoke"](
                    service, Params({"FunctionName": "f", "Payload": orjson.dumps({"n": n})}), ctx
                )
                for n in range(6)
            )
        )
        assert [orjson.loads(reply["Payload"]) for reply in replies] == list(range(6))
        assert not any("FunctionError" in reply for reply in replies)
    finally:
        await runtime.stop()
