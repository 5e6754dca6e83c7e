"""How much memory does the server hold while runs train, and does it grow run after run?

This process plays the server: it imports what the dashboard's server imports (Streamlit, Plotly, pandas, the
figures) and keeps one `RunRegistry` whose runs train in a `WorkerPool`, as the dashboard does. It prints
1. its resident memory while two runs of the default preset (mnist-dense512, its own settings) train at once,
   and the workers' (bound: the server ≤ 450 MB, before any Predict visit loads a model into it);
2. its resident memory after the first and the last of N sequential runs (bound: growth ≤ 50 MB over 30 runs),
   with each run's worker and that worker's memory, which the pool's replacement rule bounds.

    python benchmarks/memory.py [--runs 30] [--preset mnist-dense512] [--max-runs-per-worker 25]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas  # noqa: E402, F401  (what the server holds anyway)
import plotly  # noqa: E402, F401
import streamlit  # noqa: E402, F401

import dashboard.figures.training_curves  # noqa: E402, F401
from core.models.presets import Preset, get_preset  # noqa: E402
from core.training.processes import resident_megabytes  # noqa: E402
from core.training.registry import RunRegistry  # noqa: E402
from core.training.run import RunState  # noqa: E402
from core.training.storage import RunStorage  # noqa: E402
from core.training.worker_pool import WorkerPool  # noqa: E402

SERVER_BOUND_MB = 450
GROWTH_BOUND_MB = 50


def two_at_once(registry: RunRegistry, pool: WorkerPool, preset: Preset) -> float:
    """The server's largest resident memory while two runs train together; prints the workers' too."""
    runs = [registry.start(owner, preset.name, preset.dataset_name, preset.spec, preset.training)
            for owner in ("ann", "bob")]
    server_peak, worker_peak = 0.0, 0.0
    while any(run.is_active for run in runs):
        server_peak = max(server_peak, resident_megabytes() or 0.0)
        workers = [resident_megabytes(pid) or 0.0 for pid in pool.worker_pids()]
        worker_peak = max([worker_peak, *workers])
        time.sleep(0.2)
    if any(run.state is not RunState.FINISHED for run in runs):
        raise RuntimeError(f"the runs ended {[run.message for run in runs]}")
    print(f"two runs at once: server at most {server_peak:.1f} MB (bound: {SERVER_BOUND_MB} MB) -> "
          f"{'within' if server_peak <= SERVER_BOUND_MB else 'OVER'} the bound; each worker at most {worker_peak:.1f} MB")
    return server_peak


def one_after_another(registry: RunRegistry, pool: WorkerPool, preset: Preset, count: int) -> float:
    """The server's growth from the first run to the last of `count` sequential runs."""
    after_first = 0.0
    for number in range(1, count + 1):
        started = time.perf_counter()
        run = registry.start("benchmark", preset.name, preset.dataset_name, preset.spec, preset.training)
        workers = {}
        while run.is_active:
            workers.update({pid: resident_megabytes(pid) or 0.0 for pid in pool.worker_pids()})
            time.sleep(0.2)
        if run.state is not RunState.FINISHED:
            raise RuntimeError(f"run {number} ended {run.state.value}: {run.message}")
        resident = resident_megabytes() or 0.0
        after_first = after_first or resident
        worker = registry.storage.load_record(run.run_id)["pid"]
        print(f"run {number:2d}: test accuracy {run.test_accuracy:.3f}, {time.perf_counter() - started:5.1f} s, "
              f"server {resident:7.1f} MB ({resident - after_first:+.1f} MB since run 1), worker {worker} "
              f"{workers.get(worker, 0.0):6.1f} MB", flush=True)
    growth = resident - after_first
    print(f"\nserver after run 1: {after_first:.1f} MB; after run {count}: {resident:.1f} MB; growth {growth:+.1f} MB "
          f"(bound: {GROWTH_BOUND_MB} MB) -> {'within' if growth <= GROWTH_BOUND_MB else 'OVER'} the bound")
    return growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--preset", default="mnist-dense512")
    parser.add_argument("--max-runs-per-worker", type=int, default=25)
    arguments = parser.parse_args()
    preset = get_preset(arguments.preset)
    print(f"server at start, its imports done: {resident_megabytes():.1f} MB")
    pool = WorkerPool(max_runs_per_worker=arguments.max_runs_per_worker)
    with tempfile.TemporaryDirectory() as folder:
        registry = RunRegistry(RunStorage(Path(folder)), executor=pool)
        two_at_once(registry, pool, preset)
        one_after_another(registry, pool, preset, arguments.runs)
    pool.close()


if __name__ == "__main__":
    main()
