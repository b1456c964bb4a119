"""Test harness: a real Posthouse process on an ephemeral port (its clients: `conformance.clients`)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


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

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

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
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
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


def env_without_proxies() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
