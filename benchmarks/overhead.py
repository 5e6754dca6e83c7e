"""How much slower is an epoch under Keras Lab's run machinery than under a bare `model.fit(verbose=0)`?

Both sides train the same preset on the same data with the same seed, alternating, several times, each in a process
of its own as a run now is. The Keras Lab side starts a run through `RunRegistry`, which hands it to a warm worker
process (the live-history callback on every batch, its record rewritten at most once a second, checkpoints,
TensorBoard scalars, its history sent to this process a few times a second, on the backend and with the steps per
call that `core.training.execution` chooses) while this process reads snapshots as often as the Train page
redraws. The bare side runs `model.fit(verbose=0)` in a fresh process (`--bare`) on the same backend with Keras's
defaults, with one callback that only notes when epochs begin and end, the least needed to time an epoch. The
first epoch (tracing) is left out; the script prints, for each preset, the median ratio of the steady-state epoch
times (target: at most 1.03) and the ratio of whole-run wall times, checkpoints included.

    python benchmarks/overhead.py [--presets mnist-dense512,mnist-cnn-4conv] [--epochs N] [--repeats 7]
                                  [--executor local|ray]

With `--executor ray` the Keras Lab side trains each run in a Ray actor of its own (`core.training.ray_executor`),
as `KERAS_LAB_EXECUTOR=ray` does: the ratio then says what a run on Ray costs against the bare fit.

Epochs default to 30 for the MLP (about 0.2 s each on two cores) and 4 for the CNN (several seconds each).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data.catalogue import load_dataset  # noqa: E402
from core.models.presets import Preset, get_preset  # noqa: E402
from core.models.spec import TrainingConfig  # noqa: E402
from core.training.execution import backend_for  # noqa: E402
from core.training.ray_executor import RayExecutor  # noqa: E402
from core.training.registry import RunRegistry  # noqa: E402
from core.training.run import RunState  # noqa: E402
from core.training.storage import RunStorage  # noqa: E402
from core.training.worker_pool import WorkerPool  # noqa: E402

PAGE_REFRESH_SECONDS = 0.4  # As dashboard/live.py redraws the Train page.
DEFAULT_EPOCHS = {"mnist-dense512": 30, "mnist-cnn-4conv": 4}
TARGET = 1.03


def bare_fit_here(preset_name: str, epochs: int, batch_size: int, seed: int) -> dict[str, float]:
    """In the `--bare` process: the plain fit, timed per epoch, with only what Keras needs to be called."""
    import keras

    from core.models.build import build_model
    from core.models.inputs import prepare_inputs, prepare_labels

    class EpochTimer(keras.callbacks.Callback):
        """Epoch durations, and nothing per batch, so the bare side stays bare."""

        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._started_at = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.seconds.append(time.perf_counter() - self._started_at)

    preset = get_preset(preset_name)
    dataset = load_dataset(preset.dataset_name)
    inputs = prepare_inputs(preset.spec, dataset.x_train)
    labels = prepare_labels(preset.spec, dataset.y_train, dataset.num_classes)
    keras.utils.set_random_seed(seed)
    model = build_model(preset.spec)
    timer = EpochTimer()
    started = time.perf_counter()
    model.fit(inputs, labels, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer])
    return {"epoch": statistics.median(timer.seconds[1:]), "wall": time.perf_counter() - started}


def bare_fit(preset: Preset, config: TrainingConfig) -> dict[str, float]:
    """Median steady-state epoch seconds (and the fit's wall time) of a plain `model.fit` in a process of its own."""
    command = [sys.executable, __file__, "--bare", preset.name, str(config.epochs), str(config.batch_size),
               str(config.seed)]
    environment = {**os.environ, "KERAS_BACKEND": backend_for(preset.spec)}  # The backend the run trains on.
    finished = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    return json.loads(finished.stdout.splitlines()[-1])


def keras_lab_run(registry: RunRegistry, preset: Preset, config: TrainingConfig) -> dict[str, float]:
    """Median steady-state epoch seconds of a Keras Lab run, watched the way the Train page watches it, and the wall
    time from its first batch to its settling (checkpoints, the final save and evaluation included)."""
    run = registry.start("benchmark", preset.name, preset.dataset_name, preset.spec, config)
    first_batch_at = None
    while run.is_active:
        if first_batch_at is None and run.history.snapshot().steps_done:
            first_batch_at = time.perf_counter()
        time.sleep(PAGE_REFRESH_SECONDS)
    if run.state is not RunState.FINISHED:
        raise RuntimeError(f"the Keras Lab run ended {run.state.value}: {run.message}")
    epochs = run.history.snapshot().epochs
    return {"epoch": statistics.median(record.seconds for record in epochs[1:]),
            "wall": sum(record.seconds for record in epochs)}


def measure(registry: RunRegistry, preset: Preset, config: TrainingConfig, repeats: int) -> float:
    """Alternate the two sides `repeats` times; print each repeat and return the median ratio."""
    print(f"\nworkload: {preset.name} on {load_dataset(preset.dataset_name).summary()}")
    print(f"{repeats} repeats × {config.epochs} epochs, batch {config.batch_size}; first epoch left out")
    keras_lab_run(registry, preset, config)  # Warm-up: the worker's import and caches, which a warm worker has.
    ratios, wall_ratios = [], []
    for repeat in range(1, repeats + 1):
        lab = keras_lab_run(registry, preset, config)
        bare = bare_fit(preset, config)
        ratios.append(lab["epoch"] / bare["epoch"])
        wall_ratios.append(lab["wall"] / bare["wall"])
        print(f"repeat {repeat}: Keras Lab {lab['epoch'] * 1000:7.1f} ms/epoch   bare fit {bare['epoch'] * 1000:7.1f} "
              f"ms/epoch   ratio {ratios[-1]:.3f}   (all epochs: {lab['wall']:.2f} s vs {bare['wall']:.2f} s, "
              f"{wall_ratios[-1]:.3f})")
    median = statistics.median(ratios)
    print(f"{preset.name}: median ratio of steady-state epoch time, Keras Lab / bare fit: {median:.3f} "
          f"(target ≤ {TARGET}); median ratio of the time of all epochs: {statistics.median(wall_ratios):.3f}")
    return median


def ray_executor() -> RayExecutor:
    """The Ray executor on the cluster at RAY_ADDRESS, or on a Ray of this machine started here."""
    if not os.environ.get("RAY_ADDRESS"):
        import ray

        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    return RayExecutor()


def main() -> None:
    if sys.argv[1:2] == ["--bare"]:
        name, epochs, batch_size, seed = sys.argv[2], *map(int, sys.argv[3:6])
        print(json.dumps(bare_fit_here(name, epochs, batch_size, seed)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", default=",".join(DEFAULT_EPOCHS))
    parser.add_argument("--epochs", type=int, help="epochs per run (default: 30 for the MLP, 4 for the CNN)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--executor", choices=("local", "ray"), default="local",
                        help="where the Keras Lab side trains: a warm local worker (default), or a Ray actor per run "
                             "on the cluster at RAY_ADDRESS (without one, a local Ray of this machine's CPUs)")
    arguments = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; executor: "
          f"{arguments.executor}")
    executor = ray_executor() if arguments.executor == "ray" else WorkerPool()
    medians = {}
    with tempfile.TemporaryDirectory() as folder:
        registry = RunRegistry(RunStorage(Path(folder)), executor=executor)
        for name in arguments.presets.split(","):
            preset = get_preset(name)
            epochs = arguments.epochs or DEFAULT_EPOCHS.get(name, 10)
            medians[name] = measure(registry, preset, TrainingConfig(epochs=epochs,
                                                                     batch_size=preset.training.batch_size),
                                    arguments.repeats)
    executor.close()
    print("\n" + "\n".join(f"{name}: {ratio:.3f}" for name, ratio in medians.items()))


if __name__ == "__main__":
    main()
