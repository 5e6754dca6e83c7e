"""The command line: list presets, train one headless with the same code the Train page uses, or export one.

Instructors pre-train with it and tests drive it. Every mistake in the arguments or the input ends with
exit status 2 and one line on stderr that starts with `error:`, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Iterator, Sequence

from core.arrays import check_fits, split_sizes
from core.datasets import load_dataset
from core.export import python_script
from core.history import EpochRecord
from core.presets import PRESETS, get_preset
from core.runs import RunRegistry, RunState, TrainingRun, new_run_id
from core.specs import TrainingConfig
from core.storage import RunStorage

USAGE_ERROR = 2
INTERRUPTED = 130


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

    train = commands.add_parser("train", help="train a preset and evaluate it on the test set")
    train.add_argument("--preset", required=True, help="a name from `python -m core presets`")
    train.add_argument("--dataset", help="dataset to train on (default: the preset's own)")
    train.add_argument("--epochs", type=int, help="number of epochs (default: the preset's)")
    train.add_argument("--batch-size", type=int, help="examples per step (default: the preset's)")
    train.add_argument("--validation-split", type=float, help="fraction of training data held back for validation")
    train.add_argument("--seed", type=int, help="random seed for weights and shuffling (default: 0)")
    train.add_argument("--out", type=Path,
                       help="runs folder to save the run in (as DIR/RUN_ID/run.json and model.keras); "
                            "~/.keras-lab/runs makes it open in the dashboard")
    train.add_argument("--json", action="store_true", help="print one JSON object per epoch, then the test scores")

    export = commands.add_parser("export", help="print a preset as a standalone Keras script or as its spec's JSON")
    export.add_argument("--preset", required=True, help="a name from `python -m core presets`")
    export.add_argument("--format", choices=("python", "json"), default="python",
                        help="python: a script that trains it as Keras Lab does (default); json: the model spec")
    return parser


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
            print(json.dumps({"name": preset.name, "title": preset.title, "dataset": preset.dataset,
                              "training": preset.training.to_dict()}))
        else:
            print(f"{preset.name:<20} {preset.title} (dataset: {preset.dataset})")


def _training_config(arguments: argparse.Namespace, default: TrainingConfig) -> TrainingConfig:
    chosen = {
        "epochs": arguments.epochs,
        "batch_size": arguments.batch_size,
        "validation_split": arguments.validation_split,
        "seed": arguments.seed,
    }
    return TrainingConfig(**{**default.to_dict(), **{k: v for k, v in chosen.items() if v is not None}})


def _print_epoch(record: EpochRecord, as_json: bool) -> None:
    fields = record.to_dict()
    if as_json:
        print(json.dumps({key: value for key, value in fields.items() if value is not None}), flush=True)
    else:
        scores = "  ".join(f"{key} {value:.4f}" for key, value in fields.items() if key not in ("epoch", "seconds")
                           and value is not None)
        print(f"epoch {record.epoch}: {scores}  ({record.seconds:.1f} s)", flush=True)


def train(arguments: argparse.Namespace) -> None:
    """Train one run to its end in this thread, through the same registry code as the Train page."""
    preset = get_preset(arguments.preset)
    config = _training_config(arguments, preset.training)
    if arguments.out is not None and arguments.out.exists() and not arguments.out.is_dir():
        raise CommandLineError(f"--out {arguments.out} is a file; give a folder to keep runs in.")
    with _quiet_stderr():  # A first download of the full MNIST imports TensorFlow.
        dataset = load_dataset(arguments.dataset or preset.dataset)
    check_fits(preset.spec, dataset)  # Before Keras is imported, so a mistake is reported at once.
    split_sizes(dataset.train_size, config.validation_split)
    if not arguments.json:
        print(f"dataset: {dataset.summary()}", flush=True)

    registry = RunRegistry(RunStorage(arguments.out) if arguments.out is not None else None)
    run = TrainingRun(run_id=new_run_id(), owner="cli", preset=preset.name, dataset=dataset.name,
                      spec=preset.spec, config=config)
    with _quiet_stderr():
        registry.run_to_end(run, on_epoch_end=lambda record: _print_epoch(record, arguments.json))
    if run.state is RunState.FAILED or (arguments.out is not None and not run.saved):
        raise ValueError(run.message)

    summary = {
        "test_loss": run.test_loss,
        "test_accuracy": run.test_accuracy,
        "model": preset.name,
        "dataset": dataset.name,
        "dataset_source": dataset.source,
        "train_size": dataset.train_size,
        "test_size": dataset.test_size,
    }
    if arguments.out is not None:
        summary["run_folder"] = str(registry.storage.folder(run.run_id))
    if arguments.json:
        print(json.dumps(summary), flush=True)
    else:
        print(f"test loss {run.test_loss:.4f}, test accuracy {run.test_accuracy:.4f}", flush=True)
        if arguments.out is not None:
            print(f"saved to {summary['run_folder']} (a dashboard whose runs folder holds it opens it at "
                  f"?run={run.run_id})", flush=True)


def export(arguments: argparse.Namespace) -> None:
    """The preset as code to take away; nothing is loaded or trained, so Keras is not imported."""
    preset = get_preset(arguments.preset)
    if arguments.format == "json":
        print(preset.spec.to_json())
    else:
        print(python_script(preset.spec, preset.training, preset.dataset, preset.title), end="")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = _parser().parse_args(argv)
        if arguments.command == "presets":
            list_presets(arguments.json)
        elif arguments.command == "export":
            export(arguments)
        else:
            train(arguments)
    except (CommandLineError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return INTERRUPTED
    return 0
