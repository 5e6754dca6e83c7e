"""Every setting Keras Lab reads from the environment, parsed by one rule.

The rule: an unset (or empty) variable means the default; a value the setting cannot take is named in a warning in
the server's log, with what it should be, and the default is used instead. A typo in a deployment's environment
therefore never stops a server in front of a room, and it is never silently ignored either.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

HOME_VARIABLE = "KERAS_LAB_HOME"
"""Where runs, uploaded datasets, drawings, benchmark results and lesson progress are kept (default ~/.keras-lab)."""
MAX_UPLOAD_VARIABLE = "KERAS_LAB_MAX_UPLOAD_MB"
DEFAULT_UPLOAD_MEGABYTES = 200
"""The full MNIST is 11 MB as IDX .gz files and 55 MB as an npz; 200 MB leaves room for a few thousand photos. It is
also Streamlit's default `server.maxUploadSize`, so the browser and the server agree unless a deployment changes it."""
MAX_PARAMETERS_VARIABLE = "KERAS_LAB_MAX_PARAMETERS"
DEFAULT_MAX_PARAMETERS = 5_000_000
"""Five million weights: about 20 MB, three times that with Adam's state, and minutes per epoch on a CPU."""
MAX_RUNS_VARIABLE = "KERAS_LAB_MAX_RUNS"
DEFAULT_MAX_RUNS = os.cpu_count() or 1
"""Runs that train at once on this server (one per CPU core: more would only share the cores and make every run
slower); the rest wait in the queue."""
ORPHAN_VARIABLE = "KERAS_LAB_ORPHAN_SECONDS"
DEFAULT_ORPHAN_SECONDS = 600.0
"""A run that no open page has shown for this many seconds is stopped and kept."""
BACKEND_VARIABLE = "KERAS_LAB_BACKEND"
BACKEND_CHOICES = ("auto", "jax", "tensorflow")
"""`auto` (the default): each run's Keras backend is chosen for its model (see `core.training.execution`)."""
EXECUTOR_VARIABLE = "KERAS_LAB_EXECUTOR"
EXECUTOR_CHOICES = ("local", "ray")
"""`local` (the default): runs train in worker processes on this machine; `ray`: on the Ray cluster at Ray's own
`RAY_ADDRESS` (see `core.training.ray_executor`)."""
OFFLINE_VARIABLE = "KERAS_LAB_OFFLINE"
"""Set (to anything but 0) to never try a download: the shipped samples are used instead."""

_log = logging.getLogger(__name__)


def data_directory() -> Path:
    text = os.environ.get(HOME_VARIABLE, "").strip()
    return Path(text).expanduser() if text else Path.home() / ".keras-lab"


def max_upload_bytes() -> int:
    """The largest file an uploader takes, in bytes (from megabytes, which may be fractional)."""
    return int(_positive_number(MAX_UPLOAD_VARIABLE, DEFAULT_UPLOAD_MEGABYTES, "a number of megabytes") * 2**20)


def max_parameters() -> int:
    return int(_positive_number(MAX_PARAMETERS_VARIABLE, DEFAULT_MAX_PARAMETERS, "a whole number of parameters",
                                whole=True))


def max_concurrent_runs() -> int:
    return int(_positive_number(MAX_RUNS_VARIABLE, DEFAULT_MAX_RUNS, "a whole number of runs", whole=True))


def orphan_seconds() -> float:
    return _positive_number(ORPHAN_VARIABLE, DEFAULT_ORPHAN_SECONDS, "a number of seconds")


def backend_choice() -> str:
    """The backend every run trains on, or "auto" to choose one per model."""
    return _choice(BACKEND_VARIABLE, BACKEND_CHOICES)


def executor_choice() -> str:
    """Where runs train: "local" or "ray"."""
    return _choice(EXECUTOR_VARIABLE, EXECUTOR_CHOICES)


def _choice(variable: str, choices: tuple[str, ...]) -> str:
    """The variable's value when it is one of `choices` (any case), else the first of them, the default."""
    text = os.environ.get(variable, "").strip().lower()
    if not text or text in choices:
        return text or choices[0]
    _log.warning("%s=%r is not one of %s: using %s. Set it to one of them or unset it.",
                 variable, text, ", ".join(choices), choices[0])
    return choices[0]


def is_offline() -> bool:
    return os.environ.get(OFFLINE_VARIABLE, "").strip() not in ("", "0")


def _positive_number(variable: str, default: float, what: str, whole: bool = False) -> float:
    """The variable's value when it is a finite number above zero (and whole, where asked); else the default."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and value > 0 and (value.is_integer() or not whole):
        return value
    _log.warning("%s=%r is not %s above zero: using the default, %s. Set it to one (%s, say) or unset it.",
                 variable, text, what, f"{default:g}", f"{default:g}")
    return default
