"""Which Python runs a function: the interpreter its runtime names (`python3.12`) when one is on PATH and
really is that version, else the server's own. The answer is kept per runtime (the probe starts a process)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys

_PROBE = "import sys; print('%d.%d' % sys.version_info[:2])"
OWN_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


@functools.cache
def python_for(runtime: str) -> str:
    """The interpreter for a `python3.x` runtime (call it in a thread: it may run the candidate once)."""
    wanted = runtime.removeprefix("python")
    if wanted == OWN_VERSION:
        return sys.executable
    candidate = shutil.which(runtime)
    if candidate is None:
        return sys.executable
    try:
        probe = subprocess.run(
            [candidate, "-c", _PROBE], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return sys.executable
    return candidate if probe.returncode == 0 and probe.stdout.strip() == wanted else sys.executable


def server_packages() -> list[str]:
    """Where the server's own packages are: a function on another Python still finds pure-Python ones (boto3,
    as AWS's runtimes include it) after its own code and packages."""
    return [path for path in sys.path if path.endswith(("site-packages", "dist-packages"))]
