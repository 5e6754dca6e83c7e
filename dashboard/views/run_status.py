"""Where a run stands, in one line of words: the sidebar, Train and Predict all say it the same way."""

from __future__ import annotations

from core.training.run import RunState, TrainingRun
from dashboard.resources import run_registry


def describe_run(run: TrainingRun) -> str:
    """One line about a run, from 'waiting in the queue' to 'finished, test accuracy 92.8%'."""
    if run.state is RunState.QUEUED:
        ahead = run_registry().queue_position(run)
        return f"waiting for a free training slot ({ahead} run(s) ahead in the queue)"
    if run.state is RunState.RUNNING:
        snapshot = run.history.snapshot()
        if not snapshot.total_epochs:
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
