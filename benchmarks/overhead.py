"""How much slower is an epoch under Keras Lab's run machinery than under a bare `model.fit(verbose=0)`?

Both sides train the same preset on the same data with the same seed, alternating, several times. The
Keras Lab side starts a run through `RunRegistry` (background thread, the live-history callback on every
batch) while another thread reads snapshots as often as the Train page redraws. The bare side calls
`model.fit(verbose=0)` with one callback that only notes when epochs begin and end, the least needed to
time an epoch. The first epoch (tracing) is left out; the script prints, for each preset, the median ratio of
the steady-state epoch times (target: at most 1.03).

    python benchmarks/overhead.py [--presets mnist-dense512,mnist-cnn-4conv] [--epochs N] [--repeats 7]

Epochs default to 30 for the MLP (about 90 ms each on two cores) and 4 for the CNN (several seconds each).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402  (after the logging setting above)

from core.data.catalogue import load_dataset  # noqa: E402
from core.models.build import build_model  # noqa: E402
from core.models.inputs import prepare_inputs, prepare_labels  # noqa: E402
from core.models.presets import Preset, get_preset  # noqa: E402
from core.models.spec import TrainingConfig  # noqa: E402
from core.training.registry import RunRegistry  # noqa: E402
from core.training.run import RunState  # noqa: E402

PAGE_REFRESH_SECONDS = 0.4  # As dashboard/live.py redraws the Train page.
DEFAULT_EPOCHS = {"mnist-dense512": 30, "mnist-cnn-4conv": 4}
TARGET = 1.03


class EpochTimer(keras.callbacks.Callback):
    """Epoch durations, and nothing per batch, so the bare side stays bare."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._started_at = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._started_at)


def bare_fit(preset: Preset, config: TrainingConfig) -> float:
    """Median steady-state epoch seconds of a plain `model.fit`, in a thread of its own as a run trains (the
    main thread measured slower for the CNN on TensorFlow, which would flatter Keras Lab)."""
    dataset = load_dataset(preset.dataset_name)
    inputs = prepare_inputs(preset.spec, dataset.x_train)
    labels = prepare_labels(preset.spec, dataset.y_train, dataset.num_classes)
    keras.utils.set_random_seed(config.seed)
    model = build_model(preset.spec)
    timer = EpochTimer()
    fit = threading.Thread(target=model.fit, args=(inputs, labels), kwargs={
        "epochs": config.epochs, "batch_size": config.batch_size, "verbose": 0, "callbacks": [timer]})
    fit.start()
    fit.join()
    return statistics.median(timer.seconds[1:])


def keras_lab_run(preset: Preset, config: TrainingConfig) -> float:
    """Median steady-state epoch seconds of a Keras Lab run, watched the way the Train page watches it."""
    run = RunRegistry(storage=None).start("benchmark", preset.name, preset.dataset_name, preset.spec, config)
    while run.is_active:
        run.history.snapshot()
        time.sleep(PAGE_REFRESH_SECONDS)
    if run.state is not RunState.FINISHED:
        raise RuntimeError(f"the Keras Lab run ended {run.state.value}: {run.message}")
    return statistics.median(record.seconds for record in run.history.snapshot().epochs[1:])


def measure(preset: Preset, config: TrainingConfig, repeats: int) -> float:
    """Alternate the two sides `repeats` times; print each repeat and return the median ratio."""
    print(f"\nworkload: {preset.name} on {load_dataset(preset.dataset_name).summary()}")
    print(f"{repeats} repeats × {config.epochs} epochs, batch {config.batch_size}; first epoch left out")
    bare_fit(preset, config)  # Warm-up: imports, kernel caches and memory pools, for neither side to pay.
    ratios, lab_times, bare_times = [], [], []
    for repeat in range(1, repeats + 1):
        lab = keras_lab_run(preset, config)
        bare = bare_fit(preset, config)
        ratios.append(lab / bare)
        lab_times.append(lab)
        bare_times.append(bare)
        print(f"repeat {repeat}: Keras Lab {lab * 1000:7.1f} ms/epoch   bare fit {bare * 1000:7.1f} ms/epoch   "
              f"ratio {lab / bare:.3f}")
    median = statistics.median(ratios)
    print(f"{preset.name}: median ratio of steady-state epoch time, Keras Lab / bare fit: {median:.3f} "
          f"(target ≤ {TARGET}); ratio of the medians: {statistics.median(lab_times) / statistics.median(bare_times):.3f}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", default=",".join(DEFAULT_EPOCHS))
    parser.add_argument("--epochs", type=int, help="epochs per run (default: 30 for the MLP, 4 for the CNN)")
    parser.add_argument("--repeats", type=int, default=7)
    arguments = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"keras {keras.__version__}, backend {keras.backend.backend()}; threads alive: {threading.active_count()}")
    medians = {}
    for name in arguments.presets.split(","):
        preset = get_preset(name)
        epochs = arguments.epochs or DEFAULT_EPOCHS.get(name, 10)
        medians[name] = measure(preset, TrainingConfig(epochs=epochs, batch_size=preset.training.batch_size),
                                arguments.repeats)
    print("\n" + "\n".join(f"{name}: {ratio:.3f}" for name, ratio in medians.items()))


if __name__ == "__main__":
    main()
