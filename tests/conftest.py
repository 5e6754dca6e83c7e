"""Every test runs offline, writes only into temporary folders, and trains real Keras on small data."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

# Before anything imports `core`: never try a download, never read a dataset Keras cached on this machine
# (the shipped sample makes every run the same), never write into the user's home.
os.environ["KERAS_LAB_OFFLINE"] = "1"
for variable in ("KERAS_HOME", "KERAS_LAB_HOME"):
    os.environ[variable] = tempfile.mkdtemp(prefix=f"{variable.lower()}-tests-")
    atexit.register(shutil.rmtree, os.environ[variable], ignore_errors=True)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPOSITORY = Path(__file__).resolve().parent.parent


def wait_until(condition, timeout: float = 120.0, every: float = 0.05) -> None:
    """Poll `condition` until it holds; fail (rather than hang) when it never does. Not a speed check."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition still false after {timeout} s")
        time.sleep(every)


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    """The CLI as a user starts it: without the test suite's setting that quiets TensorFlow's logs."""
    environment = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([sys.executable, "-m", "core", *arguments], cwd=REPOSITORY, capture_output=True,
                          text=True, timeout=300, env=environment)


# The browser fixtures, for every test module that drives Chromium (after the names browser_support imports from here).
from browser_support import browser, dashboard  # noqa: E402,F401


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A real local Ray of two CPUs for one test module, its files in a temporary folder; yields its address, for
    other processes (a dashboard server, the CLI) to join as RAY_ADDRESS."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             _temp_dir=str(tmp_path_factory.mktemp("ray")), namespace="keras-lab")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()
