"""Deployment packages as AWS handles them: a zip whose unzipped size AWS would refuse is refused at upload;
unpacking keeps symlinks (that stay inside the function's folder) and execute bits, stops at the size limit
whatever the zip declares, and runs in a thread (never on the event loop). Unpacked code is kept per code
digest under the data directory and removed once no function, version or running worker uses it.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

from server.services.lambda_.errors import invalid_value

MAX_UNZIPPED = 262_144_000
"""AWS's limit on a function's code, unzipped."""
PARTIAL = ".partial"


def check_unzipped_size(archive: zipfile.ZipFile) -> None:
    """Refuse, as AWS does at upload, a package that would unzip past the limit (as its entries declare)."""
    if sum(info.file_size for info in archive.infolist()) >= MAX_UNZIPPED:
        raise invalid_value(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")


def _mode(info: zipfile.ZipInfo) -> int:
    return info.external_attr >> 16


def _inside(root: Path, path: Path) -> bool:
    return os.path.normpath(path).startswith(str(root) + os.sep) or os.path.normpath(path) == str(root)


def extract(package: bytes, destination: Path) -> None:
    """Unpack `package` into `destination` (a new folder): files with their execute bits, symlinks that point
    inside it; at most MAX_UNZIPPED bytes, whatever the entries declare."""
    root = destination.resolve()
    root.mkdir(parents=True)
    written = 0
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        check_unzipped_size(archive)
        for info in archive.infolist():
            mode = _mode(info)
            target = root / info.filename
            if not _inside(root, target) or ".." in Path(info.filename).parts:
                continue  # an absolute path or `..`: never outside the function's folder
            if stat.S_ISLNK(mode):
                link = archive.read(info).decode("utf-8", errors="replace")
                if _inside(root, target.parent / link):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.symlink(link, target)
                continue
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "wb") as out:
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written >= MAX_UNZIPPED:
                        raise invalid_value(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
                    out.write(chunk)
            if mode & 0o111:
                os.chmod(target, 0o755)


def unpack(package: bytes, code_dir: Path) -> None:
    """`extract` into a partial folder first, then into place: a crash leaves no half-unpacked code."""
    partial = code_dir.with_name(code_dir.name + PARTIAL)
    shutil.rmtree(partial, ignore_errors=True)
    try:
        extract(package, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(code_dir)


def prune(root: Path, keep: Iterable[str]) -> list[str]:
    """Remove every unpacked code folder under `root` not named in `keep` (and any partial one); returns the
    names removed."""
    kept = set(keep)
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        if entry.name not in kept and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed
