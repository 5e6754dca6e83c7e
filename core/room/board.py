"""The room's board: one row per learner with their best run so far, the room's queue, and the results as CSV.

A learner's best run is their finished run of the highest test accuracy; until they have one, the row shows their
latest run. Whatever the best run, the row's state is the latest run's, so the board shows who trains right now.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Callable, Iterable

from core.models.analysis import analyse_spec
from core.models.presets import PRESETS
from core.room.room import Room
from core.training.run import RunState, TrainingRun

OWN_MODEL = "own model"
CSV_COLUMNS = ("learner", "test accuracy", "model", "parameters", "epochs", "seconds per epoch", "state", "runs")


@dataclass(frozen=True)
class BoardRow:
    learner: str
    test_accuracy: float | None
    model: str
    parameters: int | None
    epochs: int
    seconds_per_epoch: float | None
    state: str
    progress: float
    """How far the latest run is, 0 to 1 (1 once it settled)."""
    runs: int


@dataclass(frozen=True)
class Waiting:
    place: int
    learner: str
    model: str


def model_label(run: TrainingRun) -> str:
    """The preset's name when the run trained the preset's own model, else "own model"."""
    preset = PRESETS.get(run.preset_name)
    return run.preset_name if preset is not None and run.spec == preset.spec else OWN_MODEL


def parameter_count(run: TrainingRun) -> int | None:
    analysis = analyse_spec(run.spec, limit=2**63)
    return analysis.total_parameters if not analysis.problems else None


def state_line(run: TrainingRun, places_ahead: int) -> str:
    """The latest run's state in a few words: waiting (with its place), training (with its epoch), or how it ended."""
    if run.state is RunState.QUEUED:
        return "waiting, next to train" if not places_ahead else \
            f"waiting, {places_ahead} run{'s' if places_ahead > 1 else ''} ahead"
    snapshot = run.history.snapshot()
    if run.state is RunState.RUNNING:
        return f"training, epoch {max(snapshot.current_epoch, 1)}/{snapshot.total_epochs}" \
            if snapshot.total_epochs else "starting"
    if run.state is RunState.PAUSED:
        return f"paused in epoch {snapshot.current_epoch}/{snapshot.total_epochs}"
    return run.state.value


def _best(runs: list[TrainingRun]) -> TrainingRun:
    finished = [run for run in runs if run.state is RunState.FINISHED and run.test_accuracy is not None]
    return max(finished, key=lambda run: run.test_accuracy) if finished else runs[0]


def learner_runs(room: Room, runs: Iterable[TrainingRun]) -> dict[str, list[TrainingRun]]:
    """Each learner's runs in the room, newest first: their visitor key's runs started since they joined."""
    by_owner: dict[str, list[TrainingRun]] = {owner: [] for owner in room.learners}
    for run in sorted(runs, key=lambda run: run.created_at, reverse=True):
        learner = room.learner(run.owner)
        if learner is not None and run.created_at >= learner.joined_at:
            by_owner[run.owner].append(run)
    return by_owner


def board_rows(room: Room, runs: Iterable[TrainingRun], places_ahead: Callable[[TrainingRun], int]) -> list[BoardRow]:
    """The board, best accuracy first; learners without a run yet at the bottom, by name."""
    rows = []
    for owner, owned in learner_runs(room, runs).items():
        name = room.learners[owner].name
        if not owned:
            rows.append(BoardRow(name, None, "", None, 0, None, "no run yet", 0.0, 0))
            continue
        best, latest = _best(owned), owned[0]
        snapshot = best.history.snapshot()
        rows.append(BoardRow(
            learner=name, test_accuracy=best.test_accuracy if best.state is RunState.FINISHED else None,
            model=model_label(best), parameters=parameter_count(best), epochs=len(snapshot.epochs),
            seconds_per_epoch=snapshot.steady_epoch_seconds, state=state_line(latest, places_ahead(latest)),
            progress=1.0 if not latest.is_active else latest.history.snapshot().fraction_done, runs=len(owned)))
    return sorted(rows, key=lambda row: (row.test_accuracy is None, -(row.test_accuracy or 0.0), row.learner))


def room_queue(room: Room, runs: Iterable[TrainingRun], places_ahead: Callable[[TrainingRun], int]) -> list[Waiting]:
    """The room's runs that wait for a training slot, in the order they will start."""
    waiting = [run for owned in learner_runs(room, runs).values() for run in owned if run.state is RunState.QUEUED]
    return [Waiting(places_ahead(run) + 1, room.learners[run.owner].name, model_label(run))
            for run in sorted(waiting, key=places_ahead)]


def board_csv(rows: list[BoardRow]) -> str:
    """The board as a spreadsheet opens it: accuracy as a fraction, seconds as numbers, blanks where none yet."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.learner, "" if row.test_accuracy is None else f"{row.test_accuracy:.4f}", row.model,
                         "" if row.parameters is None else row.parameters, row.epochs,
                         "" if row.seconds_per_epoch is None else round(row.seconds_per_epoch, 4),
                         row.state, row.runs])
    return text.getvalue()
