"""Init scripts (LocalStack's `ready.d` habit): the files of --init-dir run one after another, in name order,
once the server accepts requests and before it says `Ready.`, with AWS_ENDPOINT_URL pointing at it. `.sh` files
run with bash, `.py` files with this Python, other executable files as they are; anything else is skipped. A
failing script is logged and marked ERROR; the others still run. Their states answer /_localstack/init.

Scripts find `awslocal` on their PATH (the AWS CLI with --endpoint-url set, as LocalStack's awscli-local), since
an AWS CLI v1 ignores AWS_ENDPOINT_URL."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import dataclass

log = logging.getLogger("posthouse.init")

SCRIPT_TIMEOUT_S = 300
"""A script still running after this is killed and marked ERROR."""


@dataclass
class Script:
    name: str
    state: str = "UNKNOWN"
    """UNKNOWN (not run yet), RUNNING, SUCCESSFUL or ERROR, as LocalStack names them."""


class InitScripts:
    def __init__(self, directory: str | None) -> None:
        self.directory = directory
        self.scripts = [Script(name) for name in self._names()] if directory else []
        self.completed = not self.scripts

    def _names(self) -> list[str]:
        assert self.directory is not None
        try:
            names = sorted(os.listdir(self.directory))
        except OSError as error:
            log.error("init scripts: cannot read %s: %s", self.directory, error)
            return []
        return [name for name in names if self._command(name) is not None]

    def _command(self, name: str) -> list[str] | None:
        assert self.directory is not None
        path = os.path.join(self.directory, name)
        if not os.path.isfile(path):
            return None
        if name.endswith(".sh"):
            return ["bash", path]
        if name.endswith(".py"):
            return [sys.executable, path]
        return [path] if os.access(path, os.X_OK) else None

    async def run(self, endpoint: str, region: str) -> None:
        shims = await asyncio.to_thread(_awslocal_folder)
        environment = {
            **os.environ,
            "PATH": shims + os.pathsep + os.environ.get("PATH", ""),
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        }
        try:
            for script in self.scripts:
                command = self._command(script.name)
                if command is None:  # gone since start
                    script.state = "ERROR"
                    continue
                script.state = "RUNNING"
                script.state = await self._run_one(script.name, command, environment)
        finally:
            await asyncio.to_thread(_remove, shims)
        self.completed = True

    async def _run_one(self, name: str, command: list[str], environment: dict[str, str]) -> str:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=self.directory,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), SCRIPT_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
            log.error("init script %s: still running after %d s; killed", name, SCRIPT_TIMEOUT_S)
            return "ERROR"
        for line in output.decode(errors="replace").splitlines():
            log.info("init script %s: %s", name, line)
        if process.returncode != 0:
            log.error("init script %s: exited with %d", name, process.returncode)
            return "ERROR"
        return "SUCCESSFUL"

    def view(self) -> list[dict[str, str]]:
        return [{"stage": "READY", "name": s.name, "state": s.state} for s in self.scripts]


_AWSLOCAL = """#!/bin/sh
if ! command -v aws >/dev/null 2>&1; then
    echo "awslocal: no AWS CLI here (the Posthouse image has none): write this script in Python, boto3 is there" >&2
    exit 127
fi
exec aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"
"""


def _remove(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _awslocal_folder() -> str:
    """A fresh folder holding an `awslocal` command, for the scripts' PATH."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="posthouse-init-")
    path = os.path.join(folder, "awslocal")
    with open(path, "w", encoding="utf-8") as file:
        file.write(_AWSLOCAL)
    os.chmod(path, 0o755)
    return folder
