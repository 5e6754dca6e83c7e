"""Does a long-lived server leak memory run after run?

Trains the default preset (mnist-dense512, its own settings) N times in a row through one `RunRegistry`, as the
dashboard's server does (each run saved with its model to a temporary runs folder), and prints this process's
resident memory after the first run and after the last. The issue's bound: within 300 MB after 30 runs.

    python benchmarks/memory.py [--runs 30] [--preset mnist-dense512]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from core.models.presets import get_preset  # noqa: E402
from core.training.registry import RunRegistry  # noqa: E402
from core.training.run import RunState  # noqa: E402
from core.training.storage import RunStorage  # noqa: E402

BOUND_MB = 300


def resident_megabytes() -> float:
    """VmRSS from /proc (Linux): what the operating system counts against the server."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status: this script needs Linux.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--preset", default="mnist-dense512")
    arguments = parser.parse_args()
    preset = get_preset(arguments.preset)
    with tempfile.TemporaryDirectory() as folder:
        registry = RunRegistry(RunStorage(Path(folder)))
        after_first = 0.0
        for number in range(1, arguments.runs + 1):
            started = time.perf_counter()
            run = registry.start("benchmark", preset.name, preset.dataset_name, preset.spec, preset.training)
            while run.is_active:
                time.sleep(0.2)
            if run.state is not RunState.FINISHED:
                raise RuntimeError(f"run {number} ended {run.state.value}: {run.message}")
            resident = resident_megabytes()
            after_first = after_first or resident
            print(f"run {number:2d}: test accuracy {run.test_accuracy:.3f}, {time.perf_counter() - started:5.1f} s, "
                  f"resident {resident:7.1f} MB ({resident - after_first:+.1f} MB since run 1)", flush=True)
    growth = resident - after_first
    print(f"\nresident memory after run 1: {after_first:.1f} MB; after run {arguments.runs}: {resident:.1f} MB; "
          f"growth {growth:+.1f} MB (bound: {BOUND_MB} MB) -> {'within' if growth <= BOUND_MB else 'OVER'} the bound")


if __name__ == "__main__":
    main()
