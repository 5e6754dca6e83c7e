"""Do small models train in seconds? The seed's spiral (1000 epochs) and the alphabet LSTM (500 epochs of batch 1)
through the CLI, from the start of the command to its last line, against a plain Keras script of the same model on
Keras's default backend (TensorFlow) and on JAX, each in a process of its own, in the same run.

The issue's targets: the spiral through the CLI ≤ 0.35× the plain script on the default backend, test accuracy
≥ 0.88; the LSTM ≤ 12 s, accuracy 100%. A plain script is timed whole (start to exit: imports, data, build, fit,
evaluate), as a learner's own script is, and its `fit` alone is printed too.

    python benchmarks/small_models.py [--repeats 3] [--app-root PATH]

`--app-root` runs the CLI of another checkout of Keras Lab (an older commit, for before/after figures); the plain
scripts always use this one's data and model building.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PRESETS = ("spiral-dense10", "alphabet-lstm32")


def plain_script(preset_name: str) -> None:
    """In a process of its own: what a learner's script does, with Keras's defaults; prints its timings as JSON."""
    started = time.perf_counter()
    sys.path.insert(0, str(REPOSITORY))
    import keras

    from core.data.catalogue import load_dataset
    from core.models.build import build_model
    from core.models.inputs import prepare_inputs, prepare_labels
    from core.models.presets import get_preset

    preset = get_preset(preset_name)
    dataset = load_dataset(preset.dataset_name)
    keras.utils.set_random_seed(0)
    model = build_model(preset.spec, dataset.input_shape, dataset.num_classes)
    fit_started = time.perf_counter()
    model.fit(prepare_inputs(preset.spec, dataset.x_train),
              prepare_labels(preset.spec, dataset.y_train, dataset.num_classes),
              epochs=preset.training.epochs, batch_size=preset.training.batch_size, verbose=0)
    fit_seconds = time.perf_counter() - fit_started
    scores = model.evaluate(prepare_inputs(preset.spec, dataset.x_test),
                            prepare_labels(preset.spec, dataset.y_test, dataset.num_classes), verbose=0,
                            return_dict=True)
    print(json.dumps({"seconds": time.perf_counter() - started, "fit_seconds": fit_seconds,
                      "accuracy": scores["accuracy"], "backend": keras.backend.backend()}))


def time_plain(preset_name: str, backend: str) -> dict[str, float]:
    environment = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, __file__, "--plain", preset_name], capture_output=True, text=True,
                              env=environment, check=True)
    result = json.loads(finished.stdout.splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def time_cli(preset_name: str, app_root: Path) -> dict[str, float]:
    """The CLI, as a learner types it, from the command's start to its exit; its test accuracy from its output."""
    environment = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    with tempfile.TemporaryDirectory() as runs:
        started = time.perf_counter()
        finished = subprocess.run([sys.executable, "-m", "core", "train", "--preset", preset_name, "--out", runs],
                                  capture_output=True, text=True, cwd=app_root, env=environment, check=True)
        seconds = time.perf_counter() - started
    accuracy = re.search(r"test accuracy ([0-9.]+)", finished.stdout)
    return {"seconds": seconds, "accuracy": float(accuracy.group(1)) if accuracy else float("nan")}


def main() -> None:
    if sys.argv[1:2] == ["--plain"]:
        plain_script(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--app-root", type=Path, default=REPOSITORY)
    parser.add_argument("--presets", default=",".join(PRESETS))
    arguments = parser.parse_args()
    for name in arguments.presets.split(","):
        cli, tensorflow, jax = [], [], []
        for _ in range(arguments.repeats):  # Interleaved, so a slow minute of the machine hits all three alike.
            cli.append(time_cli(name, arguments.app_root))
            tensorflow.append(time_plain(name, "tensorflow"))
            jax.append(time_plain(name, "jax"))
        cli_seconds = statistics.median(result["seconds"] for result in cli)
        plain_seconds = statistics.median(result["seconds"] for result in tensorflow)
        runs = ", ".join(f"{result['seconds']:.1f}" for result in cli)
        accuracies = ", ".join(f"{result['accuracy']:.4f}" for result in cli)
        print(f"{name}: CLI {cli_seconds:.1f} s start to end (runs {runs}; test accuracy {accuracies})")
        for label, results in (("TensorFlow", tensorflow), ("JAX", jax)):
            seconds = statistics.median(result["seconds"] for result in results)
            fit = statistics.median(result["fit_seconds"] for result in results)
            print(f"  plain Keras on {label}: {seconds:.1f} s whole script (fit alone {fit:.1f} s; accuracy "
                  f"{statistics.median(result['accuracy'] for result in results):.4f}); CLI / script "
                  f"{cli_seconds / seconds:.2f}, CLI / fit {cli_seconds / fit:.2f}")
        print(f"  ratio to the default backend's plain script: {cli_seconds / plain_seconds:.2f}")


if __name__ == "__main__":
    main()
