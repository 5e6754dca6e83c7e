"""A Keras Lab server for a benchmark to measure: started from a checkout (this one, or an older one for
before/after figures) in a process session of its own, and read from outside through Linux's /proc (CPU time,
resident memory, the worker processes below it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SERVER_START_SECONDS = 90
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(app_root: Path, home: Path, port: int, log_path: Path) -> subprocess.Popen:
    """The README's `streamlit run dashboard/app.py`, headless, in a process session of its own."""
    if not (app_root / "dashboard" / "app.py").is_file():
        raise ValueError(f"{app_root} has no dashboard/app.py: --app-root must be the root of a Keras Lab checkout "
                         "(the folder with README.md, core/ and dashboard/).")
    environment = {**os.environ, "KERAS_LAB_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "3",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(app_root), os.environ.get("PYTHONPATH")]))}
    environment.setdefault("KERAS_LAB_OFFLINE", "1")
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    with log_path.open("w") as log:
        return subprocess.Popen(command, cwd=app_root, env=environment, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_healthy(base_url: str, server: subprocess.Popen | None, log_path: Path | None) -> None:
    """Until /_stcore/health answers; a server that exits or never answers is an error quoting its log."""
    deadline = time.perf_counter() + SERVER_START_SECONDS
    while time.perf_counter() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode} before it answered:\n"
                               f"{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{base_url} did not answer /_stcore/health within {SERVER_START_SECONDS} s"
                       + (f":\n{log_tail(log_path)}" if log_path else "; is the address right?"))


def stop_server(server: subprocess.Popen, patience: float = 20) -> None:
    """SIGTERM to the server's whole process group (it and its workers, which then save what they train), and
    SIGKILL to whatever is left of it after `patience` seconds."""
    deadline = time.perf_counter() + patience
    try:
        os.killpg(server.pid, signal.SIGTERM)
        while time.perf_counter() < deadline:
            os.killpg(server.pid, 0)  # ProcessLookupError once every process of the group is gone.
            server.poll()  # Reaps the server itself, so that it does not linger as a zombie of this process.
            time.sleep(0.2)
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        server.wait(5)
    except subprocess.TimeoutExpired:
        print(f"warning: the server (pid {server.pid}) did not end even after SIGKILL", file=sys.stderr)


def log_tail(log_path: Path | None, lines: int = 20) -> str:
    if log_path is None or not log_path.exists():
        return "(no log)"
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def cpu_seconds(pid: int) -> float | None:
    """User plus system time of a live process (all its threads), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def resident_megabytes(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the workers, and anything they start)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, waiting = [], list(children.get(pid, []))
    while waiting:
        child = waiting.pop()
        found.append(child)
        waiting.extend(children.get(child, []))
    return found


@contextmanager
def served(app_root: Path) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    """A healthy server of the checkout at `app_root` over a fresh temporary KERAS_LAB_HOME: yields its URL, that
    folder and its process, and stops it (and its workers) afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        home, port = Path(folder), free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(app_root.resolve(), home, port, home / "server.log")
        try:
            wait_until_healthy(url, server, home / "server.log")
            yield url, home, server
        finally:
            stop_server(server)
