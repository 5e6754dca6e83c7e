"""Hyperparameter sweeps, as the classic MNIST example recommends: train the same model with one setting varied
over a few values, then plot the results to choose the best.

A sweep is a list of variants (a label, a spec and a training config); `queue_sweep` trains them one after another
in a `RunRegistry`. Nothing here imports Keras.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

from core.models.editing import change_compile, change_setting
from core.models.spec import ModelSpec, TrainingConfig
from core.training.registry import RunRegistry
from core.training.run import TrainingRun
from core.training.storage import new_run_id

SETTINGS = {
    "units": "hidden units (first Dense layer)",
    "batch_size": "batch size",
    "learning_rate": "learning rate",
    "dropout": "dropout rate (every Dropout layer)",
    "epochs": "epochs",
}
WHOLE_NUMBER_SETTINGS = ("units", "batch_size", "epochs")
MIN_VALUES, MAX_VALUES = 2, 8
MAX_RUNS = 16
"""Two settings multiply: 4 × 4 values is 16 runs, which is plenty to train one after another."""


@dataclass(frozen=True)
class Variant:
    """One run of a sweep: its values ({'units': 64, 'dropout': 0.2}), and the spec and config they make."""

    values: dict[str, float]
    spec: ModelSpec
    config: TrainingConfig

    @property
    def label(self) -> str:
        return ", ".join(f"{setting} = {value:g}" for setting, value in self.values.items())


def parse_values(setting: str, text: str) -> list[float]:
    """'32, 64, 128' as numbers for the setting, or a ValueError that says what to type."""
    if setting not in SETTINGS:
        raise ValueError(f"a sweep can vary {', '.join(SETTINGS)}, not {setting!r}.")
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        values = [int(part) if setting in WHOLE_NUMBER_SETTINGS else float(part) for part in parts]
    except ValueError:
        kind = "whole numbers" if setting in WHOLE_NUMBER_SETTINGS else "numbers"
        raise ValueError(f"the values of {SETTINGS[setting]} are {kind} separated by commas, such as "
                         f"{'32, 64, 128' if setting in WHOLE_NUMBER_SETTINGS else '0.01, 0.001'}; got {text!r}.") from None
    if not MIN_VALUES <= len(set(values)) <= MAX_VALUES:
        raise ValueError(f"a sweep tries from {MIN_VALUES} to {MAX_VALUES} different values; got {len(set(values))}.")
    return sorted(set(values))


def _first_dense(spec: ModelSpec) -> int:
    """The position of the first Dense layer that is not the output layer."""
    for position, layer in enumerate(spec.layers[:-1], start=1):
        if layer.type == "Dense":
            return position
    raise ValueError("this model has no hidden Dense layer to vary; add one on Build, or sweep another setting.")


def _dropout_positions(spec: ModelSpec) -> list[int]:
    positions = [position for position, layer in enumerate(spec.layers, start=1) if layer.type == "Dropout"]
    if not positions:
        raise ValueError("this model has no Dropout layer to vary; add one on Build, or sweep another setting.")
    return positions


def variant(spec: ModelSpec, config: TrainingConfig, setting: str, value: Any) -> tuple[ModelSpec, TrainingConfig]:
    """The spec and config with one setting changed (each change checked as an edit or a config would be)."""
    if setting == "units":
        return change_setting(spec, _first_dense(spec), "units", value), config
    if setting == "learning_rate":
        return change_compile(spec, learning_rate=value), config
    if setting == "dropout":
        for position in _dropout_positions(spec):
            spec = change_setting(spec, position, "rate", value)
        return spec, config
    return spec, replace(config, **{setting: value})


def sweep_variants(spec: ModelSpec, config: TrainingConfig, grid: dict[str, list[float]]) -> list[Variant]:
    """One variant per combination of the values of one or two settings; a ValueError for a value the model
    cannot take, or for too many runs."""
    if not 1 <= len(grid) <= 2:
        raise ValueError(f"a sweep varies one or two settings, not {len(grid)}.")
    combinations = list(itertools.product(*grid.values()))
    if len(combinations) > MAX_RUNS:
        raise ValueError(f"{' × '.join(str(len(values)) for values in grid.values())} values make "
                         f"{len(combinations)} runs; a sweep trains at most {MAX_RUNS}: use fewer values.")
    variants = []
    for combination in combinations:
        varied_spec, varied_config = spec, config
        for setting, value in zip(grid, combination):
            varied_spec, varied_config = variant(varied_spec, varied_config, setting, value)
        variants.append(Variant(dict(zip(grid, combination)), varied_spec, varied_config))
    return variants


def queue_sweep(registry: RunRegistry, owner: str, preset_name: str, dataset_name: str,
                variants: list[Variant]) -> list[TrainingRun]:
    """One run per variant, each named for its values, queued to train one after another."""
    sweep = new_run_id()
    runs = [TrainingRun(run_id=new_run_id(), owner=owner, preset_name=preset_name, dataset_name=dataset_name,
                        spec=item.spec, config=item.config, given_name=f"sweep {sweep[-6:]}: {item.label}",
                        sweep=sweep, sweep_values=item.values) for item in variants]
    registry.start_in_turn(runs, thread_name=f"keras-lab-sweep-{sweep}")
    return runs
