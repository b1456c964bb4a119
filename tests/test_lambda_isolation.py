"""What a function's worker is given of the server: its own session and process group (so a timeout kills
what the handler started too), none of the server's open files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from botocore.client import BaseClient

from tests.harness import ServerProcess
from tests.test_lambda_functions import new_function, zipped

STARTS_A_CHILD = """
import os, subprocess, time

def handler(event, context):
    child = subprocess.Popen(["sleep", "300"])
    with open(event["pid_file"], "w") as out:
        out.write(str(child.pid))
    if event.get("hang"):
        time.sleep(30)
    return {
        "own_group": os.getpgid(0) == os.getpid(),
        "own_session": os.getsid(0) == os.getpid(),
        "open_files": [os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")],
    }
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_worker_has_its_own_session_and_no_server_files(
    server: ServerProcess, lam: BaseClient, tmp_path: Path
) -> None:
    name = new_function(lam, "python3.12", "handler.handler", zipped(STARTS_A_CHILD), {})
    payload = json.dumps({"pid_file": str(tmp_path / "child")}).encode()
    result = json.loads(lam.invoke(FunctionName=name, Payload=payload)["Payload"].read())
    assert result["own_group"] and result["own_session"]
    server_database = str(server.data_dir / "posthouse.db")
    assert server.process is not None
    assert any(
        os.path.realpath(f"/proc/{server.process.pid}/fd/{fd}") == server_database
        for fd in os.listdir(f"/proc/{server.process.pid}/fd")
    )
    assert not [path for path in result["open_files"] if "posthouse.db" in path]


def test_a_timeout_kills_what_the_handler_started(lam: BaseClient, tmp_path: Path) -> None:
    name = new_function(lam, "python3.12", "handler.handler", zipped(STARTS_A_CHILD), {}, Timeout=1)
    pid_file = tmp_path / "child"
    payload = json.dumps({"pid_file": str(pid_file), "hang": True}).encode()
    reply = lam.invoke(FunctionName=name, Payload=payload)
    assert reply["FunctionError"] == "Unhandled"
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
