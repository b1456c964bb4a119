"""Code packages and worker processes as AWS handles them: zip bombs refused at upload, symlinks and execute
bits kept, unpacked code removed with its function, the default (relative) data dir working, running
invocations finishing on the old code, idle workers stopped, and a cap on workers across functions."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from conformance.clients import lambda_client
from tests.harness import REPO, ServerProcess, free_port
from tests.test_lambda_functions import new_function, python_function, zipped

ECHO = """
import os, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"colour": os.environ.get("COLOUR"), "pid": os.getpid()}
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _invoke(lam: BaseClient, name: str, event: dict[str, Any] | None = None) -> Any:
    reply = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    assert "FunctionError" not in reply, reply
    return json.loads(reply["Payload"].read())


def test_a_zip_that_unzips_past_awss_limit_is_refused_at_upload(lam: BaseClient) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("handler.py", "def handler(e, c): return 1\n")
        archive.writestr("zeros.bin", bytes(262_144_000))
    assert len(bomb.getvalue()) < 1_000_000
    with pytest.raises(ClientError) as refused:
        lam.create_function(
            FunctionName="bomb",
            Runtime="python3.12",
            Role="arn:aws:iam::000000000000:role/r",
            Handler="handler.handler",
            Code={"ZipFile": bomb.getvalue()},
        )
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert error["Message"] == "Unzipped size must be smaller than 262144000 bytes"


LINKS = """
import os

def handler(event, context):
    return {
        "executable": os.access("bin/tool.sh", os.X_OK),
        "link": os.path.islink("alias.py") and os.readlink("alias.py"),
        "escape": os.path.lexists("escape"),
    }
"""


def _with_links() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("handler.py", LINKS)
        tool = zipfile.ZipInfo("bin/tool.sh")
        tool.external_attr = (stat.S_IFREG | 0o755) << 16
        archive.writestr(tool, "#!/bin/sh\necho hi\n")
        for name, target in (("alias.py", "handler.py"), ("escape", "../../../etc/passwd")):
            link = zipfile.ZipInfo(name)
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(link, target)
    return out.getvalue()


def test_execute_bits_and_inner_symlinks_are_kept(lam: BaseClient) -> None:
    name = python_function(lam, "", {}, "links")
    lam.update_function_code(FunctionName=name, ZipFile=_with_links())
    assert _invoke(lam, name) == {"executable": True, "link": "handler.py", "escape": False}


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(
        tmp_path / "data", "--controllable-clock", "--lambda-max-workers", "2"
    ).start() as server:
        yield server


def test_unpacked_code_goes_with_its_function(own_server: ServerProcess) -> None:
    lam = lambda_client(own_server.url)
    name = python_function(lam, ECHO, {}, "cleaned")
    _invoke(lam, name)
    code = own_server.data_dir / "lambda"
    assert len(list(code.iterdir())) == 1
    lam.update_function_code(FunctionName=name, ZipFile=zipped(ECHO + "\n# v2\n"))
    _invoke(lam, name)
    assert len(list(code.iterdir())) == 1  # the first code went once its workers did
    lam.delete_function(FunctionName=name)
    assert list(code.iterdir()) == []


def test_a_running_invocation_finishes_after_its_configuration_changes(own_server: ServerProcess) -> None:
    lam = lambda_client(own_server.url)
    name = python_function(lam, ECHO, {"COLOUR": "blue"}, "finishing", Timeout=10)
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(_invoke(lam, name, {"sleep": 1.5})))
    first.start()
    time.sleep(0.5)
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"COLOUR": "red"}})
    assert _invoke(lam, name)["colour"] == "red"
    first.join()
    assert results[0]["colour"] == "blue"  # it ran to its end on the old configuration


BUSY = """
import pathlib, time

def handler(event, context):
    pathlib.Path(event["started"]).touch()
    time.sleep(event["sleep"])
    return 1
"""


def test_idle_workers_are_stopped_and_workers_are_capped(own_server: ServerProcess, tmp_path: Path) -> None:
    lam = lambda_client(own_server.url)
    assert own_server.process is not None
    pid = own_server.process.pid
    names = [python_function(lam, BUSY, {}, f"capped{n}", Timeout=30) for n in range(3)]
    for n, name in enumerate(names):
        _invoke(lam, name, {"started": str(tmp_path / f"warm-{n}"), "sleep": 0})
        assert len(_children(pid)) <= 2  # the least recently used idle worker made room
    markers = [tmp_path / f"busy-{n}" for n in range(2)]
    running = [
        threading.Thread(target=_invoke, args=(lam, names[n], {"started": str(markers[n]), "sleep": 3}))
        for n in range(2)
    ]
    for thread in running:
        thread.start()
    deadline = time.monotonic() + 20
    while not all(marker.exists() for marker in markers):  # both workers are busy now
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(ClientError) as throttled:  # at the cap, none idle: a direct invoke is throttled
        lam.invoke(
            FunctionName=names[2], Payload=json.dumps({"started": str(tmp_path / "x"), "sleep": 0}).encode()
        )
    assert throttled.value.response["Error"]["Code"] == "TooManyRequestsException"
    for thread in running:
        thread.join()
    own_server.advance(3600)  # an hour idle
    deadline = time.monotonic() + 15
    while _children(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children(pid) == []


def test_functions_run_with_the_default_relative_data_dir(tmp_path: Path) -> None:
    """Started as the README says: in a working directory, with the default ./posthouse-data."""
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port)],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 20
        while b"Ready." not in (tmp_path / "server.log").read_bytes():
            assert time.monotonic() < deadline and process.poll() is None, (
                tmp_path / "server.log"
            ).read_text()
            time.sleep(0.05)
        lam = lambda_client(f"http://127.0.0.1:{port}")
        name = python_function(lam, ECHO, {"COLOUR": "green"}, "relative")
        assert _invoke(lam, name)["colour"] == "green"
        assert (tmp_path / "posthouse-data" / "posthouse.db").exists()
    finally:
        process.terminate()
        process.wait(15)
        log.close()


LINGERING = """
import threading, time

def handler(event, context):
    threading.Thread(target=time.sleep, args=(600,)).start()  # a non-daemon thread keeps a process alive
    time.sleep(event.get("sleep", 0))
    return 1
"""


def _worker_pids(server_pid: int) -> list[int]:
    return [pid for pid in _children(server_pid) if b"bootstrap" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _gone(pids: list[int], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [pid for pid in pids if Path(f"/proc/{pid}").exists() and _alive(pid)]:
            return True
        time.sleep(0.05)
    return False


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _invoke_until_the_server_goes(lam: BaseClient, name: str) -> None:
    with contextlib.suppress(Exception):  # the server is stopped under it
        lam.invoke(FunctionName=name, Payload=b'{"sleep": 30}')


@pytest.mark.parametrize("stop", ["kill -9", "SIGTERM"])
def test_workers_busy_or_idle_die_with_the_server(tmp_path: Path, stop: str) -> None:
    server = ServerProcess(tmp_path / "data").start()
    assert server.process is not None
    lam = lambda_client(server.url)
    idle = python_function(lam, LINGERING, {}, "idle")
    _invoke(lam, idle)
    busy = python_function(lam, LINGERING, {}, "busy", Timeout=60)
    threading.Thread(target=_invoke_until_the_server_goes, args=(lam, busy), daemon=True).start()
    deadline = time.monotonic() + 10
    while len(workers := _worker_pids(server.process.pid)) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    if stop == "kill -9":
        server.kill()
    else:
        server.stop()
    assert _gone(workers), [pid for pid in workers if _alive(pid)]


def test_get_functions_code_location_serves_the_zip(lam: BaseClient) -> None:
    first, second = zipped(ECHO), zipped(ECHO + "\n# two\n")
    name = python_function(lam, ECHO, {}, "located")
    lam.update_function_code(FunctionName=name, ZipFile=first)
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=second)
    for qualifier, package in (("1", first), ("$LATEST", second)):
        location = lam.get_function(FunctionName=name, Qualifier=qualifier)["Code"]["Location"]
        with urllib.request.urlopen(location) as reply:
            assert reply.read() == package


WHICH_PYTHON = """
import os, sys

def handler(event, context):
    import boto3  # the server's, found after the function's own packages

    return {"interpreter": os.environ.get("STAND_IN_PYTHON"), "boto3": bool(boto3.__version__)}
"""


def test_a_function_runs_on_the_python_its_runtime_names_when_there_is_one(tmp_path: Path) -> None:
    """A stand-in `python3.9` on the server's PATH (it says it is 3.9, and marks what it runs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "python3.9"
    stand_in.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-c" ]; then echo 3.9; exit 0; fi\n'
        f'STAND_IN_PYTHON=yes exec {sys.executable} "$@"\n'
    )
    stand_in.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    server = ServerProcess(tmp_path / "data")
    os.environ["PATH"], saved = path, os.environ["PATH"]
    try:
        server.start()
    finally:
        os.environ["PATH"] = saved
    with server:
        lam = lambda_client(server.url)
        on_39 = new_function(lam, "python3.9", "handler.handler", zipped(WHICH_PYTHON), {}, "py39")
        reply = lam.invoke(FunctionName=on_39, Payload=b"{}", LogType="Tail")
        assert json.loads(reply["Payload"].read()) == {"interpreter": "yes", "boto3": True}
        assert "INIT_START Runtime Version: python3.9" in base64.b64decode(reply["LogResult"]).decode()
        on_own = python_function(
            lam, WHICH_PYTHON, {}, "own"
        )  # python3.12: not on this PATH, so the server's
        assert _invoke(lam, on_own) == {"interpreter": None, "boto3": True}
