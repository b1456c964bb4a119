"""What every process the server starts is started with."""

from __future__ import annotations

import shutil

DIES_WITH_SERVER = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
"""A command prefix: the child is killed when the server dies, even by kill -9, even while it works
(util-linux's setpriv sets the parent-death signal, then runs the command in its place). Each child also
exits at its stdin's end."""
