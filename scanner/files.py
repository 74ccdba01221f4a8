"""Private files: reports, the history database and caches are created readable by their owner only.

They hold inventory data (who has admin where, which repository lacks protection): the same
care as snapshots (0600 files, 0700 directories), whatever the umask. This module imports nothing
of the package, so every layer may use it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700 (existing directories are left as they are)."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another run created it meanwhile
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (an existing file keeps its mode)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def open_private(path: Path, append: bool = False) -> TextIO:
    """Open ``path`` for writing text, created (or truncated, or appended to) with mode 0600, parents 0700."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), 0o600)
    return os.fdopen(fd, "a" if append else "w", encoding="utf-8", newline="")


def check_writable(path: Path, label: str) -> str | None:
    """Why ``path`` could not be written, or None; checked before a scan spends time collecting.

    Nothing is created: the nearest existing ancestor must be a writable directory. ``label``
    names the setting in the message (``--format html:out/report.html``).
    """
    if path.is_dir():
        return f"{label}: is a directory"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{label}: not writable (permission denied)"
    ancestor = path.parent
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{label}: {ancestor} is not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{label}: cannot create it in {ancestor} (permission denied)"
    return None
