"""Keras Lab's CLI against a Ray head of its own process tree, started as a workshop starts one (`ray start --head`,
with token authentication, as Ray 2.60 sets it up): a client without the token is told what to set rather than left
waiting, and a head that dies in the middle of a run ends the run with words, not a hang."""

import os
import secrets
import signal
import subprocess
import sys
import tempfile

import pytest
from conftest import REPOSITORY

from core.training.ray_executor import CONNECT_SECONDS

RAY = [sys.executable, "-m", "ray.scripts.scripts"]
"""Ray's own `ray` command, run by this Python wherever pip put the script."""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def token_head():
    """A head of one CPU with token authentication; yields the variables a client needs to join it. Its processes
    are found by its temporary folder and killed at the end (`ray stop` would stop every Ray on the machine)."""
    folder, port, token = tempfile.mkdtemp(prefix="ray-head-"), free_port(), secrets.token_hex(16)
    environment = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token}
    subprocess.run([*RAY, "start", "--head", "--port", str(port), "--num-cpus", "1", "--temp-dir", folder,
                    "--include-dashboard=false", "--disable-usage-stats"], env=environment, check=True,
                   capture_output=True, timeout=120)
    try:
        yield {"RAY_ADDRESS": f"127.0.0.1:{port}", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token}, folder
    finally:
        kill_head(folder)


def kill_head(folder: str) -> None:
    """As a machine that goes away ends it: every process of the head (its workers die with its raylet)."""
    found = subprocess.run(["pgrep", "-f", folder], capture_output=True, text=True).stdout.split()
    for pid in map(int, found):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def cli(environment: dict[str, str], *arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "core", *arguments], cwd=REPOSITORY, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "KERAS_LAB_EXECUTOR": "ray", **environment})


def test_a_client_without_the_clusters_token_is_told_what_to_set(token_head):
    joining, _folder = token_head
    process = cli({**joining, "RAY_AUTH_MODE": "disabled", "RAY_AUTH_TOKEN": ""},
                  "train", "--preset", "spiral-dense10", "--epochs", "5")
    _out, err = process.communicate(timeout=CONNECT_SECONDS + 60)  # Ray alone would wait without end.
    assert process.returncode != 0
    assert "could not connect to the Ray cluster at RAY_ADDRESS=127.0.0.1:" in err
    assert "RAY_AUTH_MODE=token" in err and "ray get-auth-token" in err and "Traceback" not in err


def test_a_head_that_dies_mid_run_ends_the_run_with_words(token_head, tmp_path):
    joining, folder = token_head
    process = cli(joining, "train", "--preset", "spiral-dense10", "--epochs", "10000", "--out", str(tmp_path))
    epochs_printed = 0
    while epochs_printed < 50:  # The run trains on the head's node.
        line = process.stdout.readline()
        assert line, f"the CLI ended before training: {process.stderr.read()}"
        epochs_printed += line.startswith("epoch ")
    kill_head(folder)
    _out, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "error: the Ray actor training this run died" in err and "Traceback" not in err
