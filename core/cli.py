"""The command line: list presets, train one headless with the same code the Train page uses, export one, or
measure its epoch times on this machine's devices (`benchmark`).

Instructors pre-train with it and tests drive it. Every mistake in the arguments or the input ends with
exit status 2 and one line on stderr that starts with `error:`, never a traceback; a training run that diverged
ends with status 1 and one such line saying what to change.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

from core.benchmark.plan import CUSTOM_SPEC, fitting_dataset, plan_from_arguments
from core.benchmark.results import BenchmarkResult, Measurement, result_to_json
from core.benchmark.runner import BenchmarkProgress, run_benchmark
from core.benchmark.store import ResultStore
from core.data.catalogue import load_dataset
from core.data.dataset import Dataset, dataset_outline, is_image_shape
from core.data.store import DatasetStore
from core.data.uploads.examples import LoadReport, check_upload_size
from core.data.uploads.idx import load_idx_files
from core.data.uploads.upload_box import load_data_file
from core.models.editing import change_compile
from core.models.export import python_script
from core.models.inputs import check_fits, split_sizes
from core.models.presets import PRESETS, get_preset
from core.models.spec import OPTIMIZERS, ModelSpec, TrainingConfig
from core.number_text import readable_loss, readable_number
from core.settings import executor_choice
from core.training.execution import use_backend_for
from core.training.executor import WorkerLost
from core.training.history import EpochRecord
from core.training.job import train_to_end
from core.training.ray_executor import train_on_ray
from core.training.run import RunState, TrainingRun
from core.training.storage import RunStorage, new_run_id

USAGE_ERROR = 2
DIVERGED = 1
INTERRUPTED = 130
SPEC_TRAINING = TrainingConfig(epochs=5, batch_size=128)
"""How a `--spec` file trains unless told otherwise: five epochs of batch 128, as most presets do."""


class CommandLineError(Exception):
    """A mistake in what the user typed; shown as one `error:` line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print the usage and exit on its own terms.
        raise CommandLineError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Keras Lab on the command line.")
    commands = parser.add_subparsers(dest="command", required=True)

    presets = commands.add_parser("presets", help="list the presets")
    presets.add_argument("--json", action="store_true", help="one JSON object per preset")

    train = commands.add_parser(
        "train", help="train a preset or a model spec and evaluate it on the test set",
        description="Exit status 0 when the run finished, 1 when it diverged (the message says what to change), "
                    "2 for a mistake in the arguments or the input.")
    _add_model_choice(train)
    train.add_argument("--optimizer", choices=OPTIMIZERS, help="optimizer to compile with (default: the model's)")
    train.add_argument("--learning-rate", type=float,
                       help="the optimizer's learning rate (default: the model's, else the optimizer's own)")
    data = train.add_mutually_exclusive_group()
    data.add_argument("--dataset", help="dataset to train on (default: the preset's own, or the first a spec fits)")
    data.add_argument("--data", metavar="PATH",
                      help="train on your own file: .npz, .csv, a .zip of images (or of IDX files), or MNIST-format "
                           "IDX files as IMAGES,LABELS; it is kept under the data directory's datasets/ folder")
    train.add_argument("--epochs", type=int, help="number of epochs (default: the preset's; 5 for a spec)")
    train.add_argument("--batch-size", type=int, help="examples per step (default: the preset's; 128 for a spec)")
    train.add_argument("--validation-split", type=float, help="fraction of training data held back for validation")
    train.add_argument("--seed", type=int, help="random seed for weights and shuffling (default: 0)")
    train.add_argument("--out", type=Path,
                       help="runs folder to save the run in (as DIR/RUN_ID/run.json and model.keras); "
                            "~/.keras-lab/runs makes it open in the dashboard")
    train.add_argument("--gpu", action="store_true",
                       help="train on a GPU of the Ray cluster (with KERAS_LAB_EXECUTOR=ray; on this machine, Keras "
                            "uses a GPU it finds by itself)")
    train.add_argument("--json", action="store_true", help="print one JSON object per epoch, then the test scores")

    export = commands.add_parser("export", help="print a preset as a standalone Keras script or as its spec's JSON")
    export.add_argument("--preset", required=True, help="a name from `python -m core presets`")
    export.add_argument("--format", choices=("python", "json"), default="python",
                        help="python: a script that trains it as Keras Lab does (default); json: the model spec")
    _add_benchmark(commands)
    return parser


def _add_model_choice(command: argparse.ArgumentParser) -> None:
    """--preset NAME or --spec FILE, one of the two: what `train` and `benchmark` run."""
    model = command.add_mutually_exclusive_group(required=True)
    model.add_argument("--preset", help="a name from `python -m core presets`")
    model.add_argument("--spec", type=Path,
                       help="a model spec JSON file (as `export --format json` or the Build page's download writes)")


def _add_benchmark(commands: argparse._SubParsersAction) -> None:
    benchmark = commands.add_parser(
        "benchmark", help="measure epoch times of one model on CPU and GPUs, each in its own process",
        description="Exit status 0 when at least one measurement succeeded, 1 when every one failed (a device "
                    "with no GPU visible is a failed row, not an error), 2 for a mistake in the arguments.")
    _add_model_choice(benchmark)
    benchmark.add_argument("--dataset", help="dataset to train on (default: the preset's, or the first a spec fits)")
    benchmark.add_argument("--devices", default="cpu",
                           help="comma list of cpu, gpu, gpu:N, all-gpus, logical-cpus:N (default: cpu)")
    benchmark.add_argument("--epochs", type=int, default=3,
                           help="epochs per measurement, at least 2: the first compiles, the rest are steady "
                                "(default: 3)")
    benchmark.add_argument("--batch-sizes", help="comma list such as 32,128,512 (default: the preset's batch size)")
    benchmark.add_argument("--backend", choices=("tensorflow", "jax", "torch"), default="tensorflow",
                           help="the Keras backend the workers run (default: tensorflow)")
    benchmark.add_argument("--data", choices=("dataset", "random"), default="dataset",
                           help="the dataset's examples, or seeded random arrays of their shape (default: dataset)")
    benchmark.add_argument("--examples", type=int, help="train on this many examples per epoch (default: all)")
    benchmark.add_argument("--steps-per-execution", type=int, default=1,
                           help="training steps per compiled call (default: 1)")
    benchmark.add_argument("--jit-compile", action="store_true", help="compile with XLA on every device")
    benchmark.add_argument("--mixed-precision", action="store_true", help="mixed_float16 on the GPUs (not the CPU)")
    benchmark.add_argument("--timeout", type=float, default=600, help="seconds one measurement may take (default: 600)")
    benchmark.add_argument("--out", type=Path, help="also write the result as JSON to this file")
    benchmark.add_argument("--save", action="store_true", help="keep the result where the dashboard lists it")
    benchmark.add_argument("--json", action="store_true", help="print the result as JSON instead of tables")


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Mute file descriptor 2: TensorFlow logs from C++ on import and first use, and no setting silences that."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def list_presets(as_json: bool) -> None:
    for preset in PRESETS.values():
        if as_json:
            print(json.dumps({"name": preset.name, "title": preset.title, "dataset": preset.dataset_name,
                              "training": preset.training.to_dict()}))
        else:
            print(f"{preset.name:<20} {preset.title} (dataset: {preset.dataset_name})")


def _training_config(arguments: argparse.Namespace, default: TrainingConfig) -> TrainingConfig:
    chosen = {
        "epochs": arguments.epochs,
        "batch_size": arguments.batch_size,
        "validation_split": arguments.validation_split,
        "seed": arguments.seed,
        "gpu": arguments.gpu or None,
    }
    return TrainingConfig(**{**default.to_dict(), **{k: v for k, v in chosen.items() if v is not None}})


def _print_epoch(record: EpochRecord, as_json: bool) -> None:
    fields = record.to_dict()
    if as_json:
        print(json.dumps({key: value for key, value in fields.items() if value is not None}), flush=True)
    else:
        scores = "  ".join(f"{key} {readable_number(value) if key == 'learning_rate' else readable_loss(value)}"
                           for key, value in fields.items() if key not in ("epoch", "seconds") and value is not None)
        print(f"epoch {record.epoch}: {scores}  ({record.seconds:.1f} s)", flush=True)


@dataclass(frozen=True)
class _ModelToTrain:
    """What `train` trains: a preset's model, dataset and training, or a spec file's with Keras Lab's defaults."""

    name: str
    spec: ModelSpec
    dataset_name: str
    training: TrainingConfig


def _model_to_train(arguments: argparse.Namespace) -> _ModelToTrain:
    """The preset or the spec file, compiled with the --optimizer and --learning-rate given (checked as Build does)."""
    if arguments.preset is not None:
        preset = get_preset(arguments.preset)
        chosen = _ModelToTrain(preset.name, preset.spec, arguments.dataset or preset.dataset_name, preset.training)
    else:
        try:
            spec = ModelSpec.from_json(arguments.spec.read_text())
        except ValueError as error:
            raise CommandLineError(f"--spec {arguments.spec}: {error}") from None
        dataset_name = arguments.dataset or (_spec_dataset(spec) if arguments.data is None else "")
        chosen = _ModelToTrain(CUSTOM_SPEC, spec, dataset_name, SPEC_TRAINING)
    compile_changes = {name: value for name, value in (("optimizer", arguments.optimizer),
                                                      ("learning_rate", arguments.learning_rate)) if value is not None}
    return replace(chosen, spec=change_compile(chosen.spec, **compile_changes)) if compile_changes else chosen


def _spec_dataset(spec: ModelSpec) -> str:
    """The first built-in dataset a spec file fits, as `benchmark` picks one."""
    try:
        return fitting_dataset(spec)
    except ValueError:
        raise CommandLineError("this spec fits none of the datasets mnist, spiral and alphabet; name one with "
                               "--dataset, or give your own file with --data.") from None


def train(arguments: argparse.Namespace) -> int:
    """Train one run to its end in this process, with the same job code a worker runs for the Train page; 1 if it
    diverged."""
    chosen = _model_to_train(arguments)
    use_backend_for(chosen.spec)
    config = _training_config(arguments, chosen.training)
    if config.gpu and executor_choice() != "ray":
        raise CommandLineError("--gpu asks a Ray cluster for a GPU: set KERAS_LAB_EXECUTOR=ray and RAY_ADDRESS; "
                               "on this machine, leave --gpu out (Keras uses a GPU it finds by itself).")
    if arguments.out is not None and arguments.out.exists() and not arguments.out.is_dir():
        raise CommandLineError(f"--out {arguments.out} is a file; give a folder to keep runs in.")
    report = None if arguments.data is None else _load_data_file(arguments.data, chosen, config.seed)
    if report is None:
        with _quiet_stderr():  # A first download of the full MNIST imports TensorFlow.
            dataset = load_dataset(chosen.dataset_name)
    else:
        dataset = report.dataset
    check_fits(chosen.spec, dataset)  # Before Keras is imported, so a mistake is reported at once.
    split_sizes(dataset.train_size, config.validation_split)
    dataset_name = dataset.name if report is None else DatasetStore().save(dataset, dataset.title)
    if not arguments.json:
        print(f"dataset: {dataset.summary()}", flush=True)
        for note in report.notes if report is not None else ():
            print(f"data: {note}", flush=True)

    storage = RunStorage(arguments.out) if arguments.out is not None else None
    run = TrainingRun(run_id=new_run_id(), owner="cli", preset_name=chosen.name, dataset_name=dataset_name,
                      spec=chosen.spec, config=config)
    if executor_choice() == "ray":
        try:
            train_on_ray(run, storage, on_epoch_end=lambda record: _print_epoch(record, arguments.json))
        except WorkerLost as lost:
            raise CommandLineError(lost.reason) from None
    else:
        with _quiet_stderr():
            train_to_end(run, storage, emit=lambda event: None,
                         on_epoch_end=lambda record: _print_epoch(record, arguments.json))
    if run.diverged:
        print(f"error: {run.message}", file=sys.stderr)
        return DIVERGED
    if run.state is RunState.FAILED or (arguments.out is not None and not run.saved):
        raise ValueError(run.message)
    _print_scores(arguments, run, dataset, report, storage)
    return 0


def _print_scores(arguments: argparse.Namespace, run: TrainingRun, dataset: Dataset, report: LoadReport | None,
                  storage: RunStorage | None) -> None:
    """The test scores and where the run was saved: one JSON object with --json, else a line or two."""
    summary = {
        "test_loss": run.test_loss,
        "test_accuracy": run.test_accuracy,
        "model": run.preset_name,
        "dataset": run.dataset_name,
        "dataset_source": dataset.source,
        "train_size": dataset.train_size,
        "test_size": dataset.test_size,
    }
    if report is not None:
        summary["data_notes"] = list(report.notes)
    if storage is not None:
        summary["run_folder"] = str(storage.folder(run.run_id))
    if arguments.json:
        print(json.dumps(summary), flush=True)
    else:
        print(f"test loss {readable_loss(run.test_loss)}, test accuracy {run.test_accuracy:.4f}", flush=True)
        if arguments.out is not None:
            print(f"saved to {summary['run_folder']} (a dashboard whose runs folder holds it opens it at "
                  f"?run={run.run_id})", flush=True)


def _load_data_file(text: str, chosen: _ModelToTrain, seed: int) -> LoadReport:
    """The `--data` file (or IDX images and labels as IMAGES,LABELS), images sized as the preset's dataset (a spec
    file's: as its input)."""
    paths = [Path(text)] if Path(text).is_file() else [Path(part) for part in text.split(",")]
    if len(paths) > 2:
        raise CommandLineError(f"--data takes one file, or two IDX files as IMAGES,LABELS; got {len(paths)} names.")
    contents = [_read_data_file(path) for path in paths]
    if len(paths) == 2:
        return load_idx_files(list(zip(contents, (path.name for path in paths))), seed=seed)
    example_shape = (dataset_outline(chosen.dataset_name).example_shape if chosen.dataset_name
                     else chosen.spec.input_shape)
    is_image = is_image_shape(example_shape)
    grey = len(example_shape) == 2 or example_shape[-1] == 1
    return load_data_file(contents[0], paths[0].name, image_size=example_shape[:2] if is_image else None,
                          grey=grey if is_image else None, seed=seed)


def _read_data_file(path: Path) -> bytes:
    if not path.is_file():
        raise CommandLineError(f"--data {path}: no such file; give the path of your .npz, .csv, .zip or IDX file.")
    check_upload_size(path.stat().st_size, path.name)  # Before reading: a huge file never fills the memory.
    return path.read_bytes()


def export(arguments: argparse.Namespace) -> None:
    """The preset as code to take away; nothing is loaded or trained, so Keras is not imported."""
    preset = get_preset(arguments.preset)
    if arguments.format == "json":
        print(preset.spec.to_json())
    else:
        print(python_script(preset.spec, preset.training, preset.dataset_name, preset.title), end="")


def _print_progress(progress: BenchmarkProgress) -> None:
    print(f"[{progress.measurement_index + 1}/{progress.measurements_total}] {progress.device}, batch size "
          f"{progress.batch_size}: {progress.message}", flush=True)


def _measurement_row(measurement: Measurement, speedup: float | None) -> str:
    if not measurement.ok:
        return f"{measurement.device:<16} failed: {measurement.failure}"
    first = "-" if measurement.first_epoch_seconds is None else f"{measurement.first_epoch_seconds:.2f}"
    ratio = "-" if speedup is None else f"{speedup:.2f}x"
    return (f"{measurement.device:<16} {first:>13} {measurement.steady_epoch_seconds:>15.2f} "
            f"{measurement.samples_per_second:>12,.0f} {ratio:>16}")


def print_benchmark_tables(result: BenchmarkResult) -> None:
    """One table per batch size: device, first epoch, steady median, samples per second, speed-up over the CPU."""
    print(f"{result.label}\ndata: {result.data}\nbackend: {result.backend} {result.versions.get(result.backend, '')}"
          f", {result.epochs} epochs per measurement")
    speedups = result.speedups()
    for batch_size in dict.fromkeys(measurement.batch_size for measurement in result.measurements):
        rows = [measurement for measurement in result.measurements if measurement.batch_size == batch_size]
        print(f"\nbatch size {batch_size} ({rows[0].steps_per_epoch} steps of {rows[0].examples_per_epoch:,} "
              "examples per epoch)")
        print(f"{'device':<16} {'first epoch s':>13} {'steady median s':>15} {'samples/s':>12} {'speed-up vs CPU':>16}")
        for measurement in rows:
            print(_measurement_row(measurement, speedups.get(batch_size, {}).get(measurement.device)))
    if result.note:
        print(f"\n{result.note}")


def benchmark(arguments: argparse.Namespace) -> int:
    """Measure, print, then write and keep the result as asked; 1 when no measurement succeeded."""
    plan = plan_from_arguments(
        arguments.preset, arguments.spec, arguments.devices, arguments.epochs, arguments.batch_sizes,
        arguments.dataset, backend=arguments.backend, data=arguments.data, examples=arguments.examples,
        steps_per_execution=arguments.steps_per_execution, jit_compile=arguments.jit_compile,
        mixed_precision=arguments.mixed_precision, timeout_seconds=arguments.timeout,
    )
    if arguments.out is not None and arguments.out.is_dir():
        raise CommandLineError(f"--out {arguments.out} is a folder; give a file name such as result.json.")
    with _quiet_stderr():  # A first download of the full MNIST imports TensorFlow.
        result = run_benchmark(plan, on_progress=None if arguments.json else _print_progress)
    if arguments.json:
        print(result_to_json(result))
    else:
        print_benchmark_tables(result)
    if arguments.out is not None:
        arguments.out.write_text(result_to_json(result))
    if arguments.save:
        path = ResultStore().save(result)
        if not arguments.json:
            print(f"saved to {path}; the Benchmark page lists it")
    return 0 if any(measurement.ok for measurement in result.measurements) else 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = _parser().parse_args(argv)
        if arguments.command == "presets":
            list_presets(arguments.json)
        elif arguments.command == "export":
            export(arguments)
        elif arguments.command == "benchmark":
            return benchmark(arguments)
        else:
            return train(arguments)
    except (CommandLineError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return INTERRUPTED
    return 0
