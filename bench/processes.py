"""The benchmark's view of running processes, read from /proc (psutil is not in the venv).

Memory (RSS) and CPU time of a process and all its descendants, and the two
servers scripts/run.sh starts: the benchmark and the server tests measure them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List


def _children(pid: int) -> List[int]:
    kids: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def process_tree(pid: int) -> List[int]:
    """`pid` and all its descendants."""
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += _children(p)
    return tree


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of `pid` and its descendants (`RssFile`: the file-backed part)."""
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants so far."""
    ticks = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(launcher: int) -> Dict[str, int]:
    """The Rasa server and action server started by scripts/run.sh (pid `launcher`)."""
    found: Dict[str, int] = {}
    for pid in process_tree(launcher)[1:]:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "actions.server" in cmd:
            found["actions"] = pid
        elif "lantern.rasa_main run" in cmd:
            found["rasa"] = pid
    return found
