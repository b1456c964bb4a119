"""Test harness: a real Posthouse process on an ephemeral port, and real AWS SDK clients for it."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config as BotoConfig

REPO = Path(__file__).resolve().parents[1]
# The last botocore whose SQS model speaks the query protocol; fetched from PyPI, never committed.
QUERY_BOTOCORE = "botocore==1.31.60"
QUERY_MODEL_DIR = REPO / ".cache" / "sqs-query-model"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
NO_RETRIES = BotoConfig(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=70)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`python -m server` in a child process, with its output in a file."""

    def __init__(self, data_dir: Path, *args: str, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.args = args
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20) -> ServerProcess:
        command = [
            sys.executable,
            "-m",
            "server",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--log-level",
            "warning",
            *self.args,
        ]
        with open(self.log_path, "ab") as log:
            earlier_output = log.tell()  # a restarted server appends to the same log
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b"Ready." in self.log_path.read_bytes()[earlier_output:].split(b"\n"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """Crash it: SIGKILL, no chance to flush or clean up."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self, timeout: float = 15) -> float:
        """SIGTERM and wait; returns how long the shutdown took."""
        assert self.process is not None
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout)
        return time.monotonic() - started

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def wait_for_parked_receives(self, queue_url: str, count: int = 1, timeout: float = 10) -> None:
        """Block until `count` long polls are parked on the queue (so a test acts after they started)."""
        account, name = queue_url.rstrip("/").rsplit("/", 2)[-2:]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, summary = self.admin("GET", f"/admin/sqs/queues/{account}/us-east-1/{name}")
            if status == 200 and summary["receives_waiting"] >= count:
                return
            time.sleep(0.02)
        raise TimeoutError(f"{count} receive(s) never parked on {queue_url}")

    def now_ms(self) -> int:
        """The server's clock (the controllable one is ahead of the wall clock once tests moved it)."""
        status, body = self.admin("POST", "/admin/clock", {"advance_seconds": 0})
        assert status == 200
        return int(body["now_ms"])

    def advance(self, seconds: float) -> None:
        status, _ = self.admin("POST", "/admin/clock", {"advance_seconds": seconds})
        assert status == 200


def query_model_dir() -> Path:
    """A data folder holding only the query-protocol SQS model, taken from botocore 1.31 off PyPI."""
    model = QUERY_MODEL_DIR / "sqs" / "2012-11-05"
    if not (model / "service-2.json").exists():
        with tempfile.TemporaryDirectory() as download:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "-d",
                    download,
                    QUERY_BOTOCORE,
                ],
                check=True,
            )
            (wheel,) = Path(download).glob("botocore-*.whl")
            with zipfile.ZipFile(io.BytesIO(wheel.read_bytes())) as archive:
                model.mkdir(parents=True, exist_ok=True)
                for name in archive.namelist():
                    if name.startswith("botocore/data/sqs/2012-11-05/"):
                        (model / Path(name).name).write_bytes(archive.read(name))
    return QUERY_MODEL_DIR


def sqs_client(
    endpoint: str,
    protocol: str,
    region: str = "us-east-1",
    config: BotoConfig = NO_RETRIES,
    **credentials: str,
) -> BaseClient:
    """A real SQS client: current boto3 (AWS JSON 1.0) or botocore with the query-protocol model."""
    kwargs: dict[str, Any] = {
        "endpoint_url": endpoint,
        "region_name": region,
        "config": config,
        **(credentials or CREDENTIALS),
    }
    if protocol == "json":
        return boto3.session.Session().client("sqs", **kwargs)
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(query_model_dir()))
    client = session.create_client("sqs", **kwargs)
    assert client.meta.service_model.protocol == "query"
    return client


def env_without_proxies() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
