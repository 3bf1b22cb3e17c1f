"""Lantern's data files are its own: databases mode 600, their folders 700.

SQLite creates a database with the process's umask (often 644: readable by every
account on the machine) and gives its journal and write-ahead files the database's
mode. So each store calls `private_file` before it first opens its database: the
file is created empty with mode 600 (SQLite takes an empty file as a new database),
an existing one readable by others is tightened, and a folder made for it is 700,
as is the var dir (`LANTERN_VAR_DIR`) holding it.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Set

from lantern.paths import var_dir

FILE_MODE = 0o600
DIR_MODE = 0o700
_checked: Set[Path] = set()
_lock = threading.Lock()


def _tighten(path: Path, mode: int) -> None:
    """Set `mode` on `path` if it is ours and others may read or enter it."""
    info = path.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(mode)


def private_dir(path: Path) -> Path:
    """Make `path` (and missing parents) with mode 700; tighten it if it is ours."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for made in missing:
        made.chmod(DIR_MODE)
    _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` with mode 600 if missing (its folder 700 if made), else tighten it.

    The var dir itself is kept at 700 too. Cheap after the first call per path.
    """
    path = Path(path)
    with _lock:
        if path in _checked and path.exists():
            return path
        parent = path.parent
        if not parent.exists() or parent.resolve() == var_dir().resolve():
            private_dir(parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)  # never truncates
        os.close(fd)
        _tighten(path, FILE_MODE)
        _checked.add(path)
    return path
