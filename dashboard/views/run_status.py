"""Where a run stands, in one line of words: the sidebar, Train and Predict all say it the same way."""

from __future__ import annotations

from core.models.compile_options import learning_rate_used
from core.number_text import readable_number
from core.training.history import HistorySnapshot, samples_per_second
from core.training.run import RunState, TrainingRun
from dashboard.resources import run_registry

SETTLED_BADLY = (RunState.STOPPED, RunState.FAILED, RunState.INTERRUPTED)


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def describe_run(run: TrainingRun) -> str:
    """One line about a run, from 'waiting in the queue' to 'finished, test accuracy 92.8%'."""
    if run.state is RunState.QUEUED:
        ahead = run_registry().queue_position(run)
        return f"waiting for a free training slot ({ahead} run(s) ahead in the queue)"
    if run.state is RunState.RUNNING:
        snapshot = run.history.snapshot()
        if not snapshot.total_epochs:
            if run.starting_note:
                return run.starting_note
            if run.cold_start:
                return ("starting: a new training process is importing Keras (a few seconds, once; the runs "
                        "after it start at once), then the data")
            return "starting: loading the data"
        # Epoch 0 is the moment between the data's loading and the first epoch's start (JAX compiles then).
        return f"training, epoch {max(snapshot.current_epoch, 1)}/{snapshot.total_epochs}"
    if run.state is RunState.PAUSED:
        snapshot = run.history.snapshot()
        return f"paused in epoch {snapshot.current_epoch}/{snapshot.total_epochs}: press Resume to carry on"
    if run.state is RunState.FINISHED:
        accuracy = "" if run.test_accuracy is None else f", test accuracy {run.test_accuracy:.1%}"
        note = f" ({run.message})" if run.message else ""  # Such as a run that trained but could not be saved.
        return f"finished{accuracy}{note}"
    return f"{run.state.value}: {run.message}"


def progress_line(run: TrainingRun, snapshot: HistorySnapshot) -> str:
    """The line over a run's progress bar: where it stands and, while it trains, the batch and the time left."""
    if run.state in SETTLED_BADLY:
        return run.state.value  # The message above the bar says why.
    line = describe_run(run)
    if run.state is RunState.RUNNING and snapshot.total_epochs:
        line += (f" · batch {snapshot.batches_in_epoch}/{snapshot.batches_per_epoch}"
                 f" · {format_seconds(snapshot.elapsed_seconds)} elapsed"
                 f" · about {format_seconds(snapshot.eta_seconds)} left")
    return line


def speed_metrics(run: TrainingRun, snapshot: HistorySnapshot) -> list[tuple[str, str, str]]:
    """The run's speed and learning rate as (label, value, explanation): under its curves, live or settled."""
    samples = samples_per_second(snapshot, run.train_size, run.config.validation_split)
    last_rate = snapshot.epochs[-1].learning_rate if snapshot.epochs else None
    shown_rate = learning_rate_used(run.spec.compile) if last_rate is None else last_rate
    return [
        ("Seconds per epoch", format_seconds(snapshot.steady_epoch_seconds),
         "Median over the epochs after the first, which also compiles the model."),
        ("Samples per second", "–" if samples is None else f"{samples:,.0f}",
         "Training examples per second of an epoch, its validation pass included."),
        ("Learning rate", readable_number(shown_rate),
         "As it was in the last epoch (schedules change it); before one ended, as the run started."),
    ]
