"""Which runs the Runs page shows together: by default the newest and the ones before it on the same data (curves of
an alphabet LSTM and a spiral MLP side by side say nothing about either), and the runs of each sweep."""

from __future__ import annotations

from typing import Sequence

from core.training.run import TrainingRun

DEFAULT_COMPARED = 2


def comparable_runs(runs: Sequence[TrainingRun], count: int = DEFAULT_COMPARED) -> list[TrainingRun]:
    """The newest run (the first of `runs`, which come newest first) and up to `count - 1` more trained on its data."""
    if not runs:
        return []
    newest = runs[0]
    return [newest, *[run for run in runs[1:] if run.dataset_name == newest.dataset_name][:count - 1]]


def sweeps_of(runs: Sequence[TrainingRun]) -> list[list[TrainingRun]]:
    """The runs of each sweep, in the order of `runs`, one list per sweep (runs outside a sweep are left out)."""
    sweeps: dict[str, list[TrainingRun]] = {}
    for run in runs:
        if run.sweep:
            sweeps.setdefault(run.sweep, []).append(run)
    return list(sweeps.values())
