"""What the server can tell about a process from outside it (Linux's /proc, else a signal 0): whether it still
lives, and how much memory it holds. Workers are judged by these, never by asking them."""

from __future__ import annotations

import os
from pathlib import Path


def process_is_alive(pid: int) -> bool:
    """Whether the process runs; a zombie (dead, not yet reaped by its parent) counts as dead."""
    if pid <= 0:
        return False
    if Path("/proc/self").exists():  # Linux: the process's state letter follows its name in parentheses.
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # It lives, under another user.
        return True
    return True


def resident_megabytes(pid: int | str = "self") -> float | None:
    """VmRSS from /proc: what the operating system counts against the process; None where /proc cannot say."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None
