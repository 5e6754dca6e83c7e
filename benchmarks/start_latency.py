"""How long after pressing Start does the first batch of a run arrive, with a warm worker?

1. Through `RunRegistry` and a warm `WorkerPool`, as the Train page starts a run: from `start()` until the run's
   history (the server's copy) holds its first batch. Against it, plain Keras in a warm process of its own
   (`--bare`: Keras imported, on the backend the run trains on, then build, compile and `fit` until the first
   batch ends). Prints the medians and
   their ratio (the issue's target: the first point within 1.5 s of Start).
2. With `--browser`: `streamlit run` and headless Chromium (Debian's, at /usr/bin/chromium), from the click on
   Start until the page shows "· batch N" (the browser, the server and the worker then share the machine).

    python benchmarks/start_latency.py [--repeats 5] [--browser]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(REPOSITORY / "benchmarks"))

from dashboard_server import free_port, start_server, stop_server, wait_until_healthy  # noqa: E402

from core.models.presets import get_preset  # noqa: E402
from core.models.spec import TrainingConfig  # noqa: E402
from core.training.execution import backend_for  # noqa: E402
from core.training.registry import RunRegistry  # noqa: E402
from core.training.worker_pool import WorkerPool  # noqa: E402

PRESETS = ("spiral-dense10", "mnist-dense512")
CHROMIUM = "/usr/bin/chromium"


def bare_first_batches(repeats: int) -> dict[str, list[float]]:
    """In the `--bare` process: seconds from building the model until fit's first batch ends, per preset."""
    import keras

    from core.data.catalogue import load_dataset
    from core.models.build import build_model
    from core.models.inputs import prepare_inputs, prepare_labels

    class FirstBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            self.model.stop_training = True

    seconds: dict[str, list[float]] = {name: [] for name in PRESETS}
    for _ in range(repeats):
        for name in PRESETS:
            preset = get_preset(name)
            started = time.perf_counter()
            dataset = load_dataset(preset.dataset_name)
            inputs = prepare_inputs(preset.spec, dataset.x_train)
            labels = prepare_labels(preset.spec, dataset.y_train, dataset.num_classes)
            build_model(preset.spec).fit(inputs, labels, batch_size=50, verbose=0, callbacks=[FirstBatch()])
            seconds[name].append(time.perf_counter() - started)
            keras.backend.clear_session()
    return seconds


def registry_first_batches(repeats: int) -> dict[str, list[float]]:
    """Seconds from `RunRegistry.start` until the server's copy of the history holds a batch, warm worker."""
    pool = WorkerPool()
    registry = RunRegistry(storage=None, executor=pool)
    seconds: dict[str, list[float]] = {name: [] for name in PRESETS}
    for repeat in range(repeats + 1):  # An untimed run of each first: its backend's worker is warm after it.
        for name in PRESETS:
            preset = get_preset(name)
            started = time.perf_counter()
            run = registry.start("benchmark", name, preset.dataset_name, preset.spec,
                                 TrainingConfig(epochs=1, batch_size=50))
            while not run.history.snapshot().steps_done and run.is_active:
                time.sleep(0.005)
            if repeat:
                seconds[name].append(time.perf_counter() - started)
            while run.is_active:
                time.sleep(0.05)
    pool.close()
    return seconds


def browser_first_points(repeats: int) -> list[float]:
    """Seconds from the click on Start until the Train page shows a batch, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="keras-lab-latency-"))
    port = free_port()
    server = start_server(REPOSITORY, home, port, home / "server.log")
    address = f"http://127.0.0.1:{port}"
    seconds = []
    try:
        wait_until_healthy(address, server, home / "server.log")
        with sync_playwright() as playwright:
            page = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"]).new_page()
            for _ in range(repeats):
                page.goto(f"{address}/train?preset=spiral-dense10")
                page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
                epochs = page.get_by_role("spinbutton", name="Epochs", exact=True)
                epochs.fill("2")
                epochs.press("Enter")
                time.sleep(8)  # A learner reading the page; the worker warms meanwhile.
                started = time.perf_counter()
                page.get_by_role("button", name="Start training").click()
                page.get_by_text(re.compile(r"· batch [1-9]|^finished")).first.wait_for(timeout=60_000)
                seconds.append(time.perf_counter() - started)
                page.get_by_text(re.compile(r"^finished")).first.wait_for(timeout=120_000)
    finally:
        stop_server(server)
        shutil.rmtree(home, ignore_errors=True)
    return seconds


def main() -> None:
    if sys.argv[1:2] == ["--bare"]:
        print(json.dumps(bare_first_batches(int(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--browser", action="store_true")
    arguments = parser.parse_args()
    lab = registry_first_batches(arguments.repeats)
    backends = {backend_for(get_preset(name).spec) for name in PRESETS}
    if len(backends) != 1:
        raise ValueError(f"the presets {', '.join(PRESETS)} train on {', '.join(sorted(backends))}: measure one "
                         "backend at a time (set KERAS_LAB_BACKEND).")
    finished = subprocess.run([sys.executable, __file__, "--bare", str(arguments.repeats)], capture_output=True,
                              text=True, check=True, env={**os.environ, "KERAS_BACKEND": backends.pop()})
    bare = json.loads(finished.stdout.splitlines()[-1])
    for name in PRESETS:
        print(f"{name}: first batch {statistics.median(lab[name]):.2f} s after Start through a warm worker "
              f"(runs: {', '.join(f'{value:.2f}' for value in lab[name])}); plain Keras, warm process: "
              f"{statistics.median(bare[name]):.2f} s; ratio {statistics.median(lab[name]) / statistics.median(bare[name]):.2f}")
    if arguments.browser:
        shown = browser_first_points(arguments.repeats)
        print(f"Chromium, spiral-dense10: first batch shown {statistics.median(shown):.2f} s after the click "
              f"(runs: {', '.join(f'{value:.2f}' for value in shown)})")


if __name__ == "__main__":
    main()
