"""Seconds per epoch of every preset, as Keras Lab trains it now (the backend and steps per call that
`core.training.execution` chooses) against TensorFlow with one step per call (how every run trained before), and
against the other backend for a few presets (`--other-backend`): the measurements behind the rule.

Each run is `python -m core train --preset NAME --epochs E --json` in a process of its own; a preset's steady epoch
is the median of its epochs after the first (which compiles). Interleaved, a preset at a time.

    python benchmarks/execution.py [--presets a,b] [--before-root PATH]

`--before-root` takes the TensorFlow column from another checkout (the commit before the rule), so that what else
changed in a run's epoch (its record, its callbacks) is in the comparison too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from core.models.presets import PRESETS, get_preset  # noqa: E402
from core.training.execution import backend_for  # noqa: E402

EPOCHS = {"spiral-dense10": 60, "alphabet-lstm32": 30, "mnist-cnn-4conv": 3, "mnist-cnn-2conv": 3, "catsdogs-cnn": 3}
"""Enough epochs for a steady median; 4 for the rest."""


def steady_epoch(preset_name: str, app_root: Path, backend: str) -> tuple[float, str]:
    """The steady epoch seconds of one CLI run, and the test accuracy it printed."""
    environment = {**os.environ, "KERAS_LAB_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.pop("KERAS_BACKEND", None)
    with tempfile.TemporaryDirectory() as runs:
        finished = subprocess.run([sys.executable, "-m", "core", "train", "--preset", preset_name, "--epochs",
                                   str(EPOCHS.get(preset_name, 4)), "--json", "--out", runs],
                                  capture_output=True, text=True, cwd=app_root, env=environment, check=True)
    lines = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    seconds = [line["seconds"] for line in lines if "seconds" in line and "epoch" in line]
    scores = next((line for line in reversed(lines) if "test_accuracy" in line), {})
    accuracy = scores.get("test_accuracy")
    return statistics.median(seconds[1:]), "–" if accuracy is None else f"{accuracy:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--before-root", type=Path, default=REPOSITORY)
    parser.add_argument("--other-backend", default="mnist-cnn-2conv",
                        help="presets also timed on the backend the rule does not choose (JAX's convolutions take "
                             "minutes per epoch for the larger CNNs)")
    arguments = parser.parse_args()
    print(f"{'preset':<26}{'before: TF, 1 step':>20}{'now':>28}{'now / before':>14}{'other backend':>22}")
    for name in arguments.presets.split(","):
        chosen = backend_for(get_preset(name).spec)
        other = None
        if name in arguments.other_backend.split(","):
            other = "jax" if chosen == "tensorflow" else "tensorflow"
        before, before_accuracy = steady_epoch(name, arguments.before_root, "tensorflow")
        now, now_accuracy = steady_epoch(name, REPOSITORY, "auto")
        other_text = "–"
        if other is not None:
            other_seconds, _ = steady_epoch(name, REPOSITORY, other)
            other_text = f"{other}: {other_seconds * 1000:.0f} ms"
        print(f"{name:<26}{before * 1000:>14.0f} ms ({before_accuracy})"
              f"{f'{chosen}: {now * 1000:.0f} ms ({now_accuracy})':>28}{now / before:>14.2f}{other_text:>22}",
              flush=True)


if __name__ == "__main__":
    main()
