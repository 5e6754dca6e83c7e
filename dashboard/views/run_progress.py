"""One run as the Train page draws it: progress and time left, the live curves, its speed, and its test scores."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.data.catalogue import loaded_dataset
from core.models.compile_options import learning_rate_used
from core.number_text import readable_loss, readable_number
from core.training.history import samples_per_second
from core.training.run import RunState, TrainingRun
from dashboard.figures.training_curves import training_curve
from dashboard.live import built_once_per_version
from dashboard.live_plot import live_plot
from dashboard.views.decision_regions import show_regions
from dashboard.views.run_status import describe_run


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def draw_run(run: TrainingRun) -> None:
    """Progress, the live curves, epoch times and, once done, the test scores of one run."""
    snapshot = run.history.snapshot()
    if run.state is RunState.FAILED:
        st.error(f"Training failed: {run.message}")
    elif run.state is RunState.STOPPED:
        st.warning(f"Training stopped: {run.message}")
    elif run.state is RunState.INTERRUPTED:
        st.warning(f"Training interrupted: {run.message}", icon=":material/restart_alt:")
    elif run.state is RunState.FINISHED and run.message:
        st.info(f"Training finished: {run.message}", icon=":material/flag:")
    settled_badly = (RunState.STOPPED, RunState.FAILED, RunState.INTERRUPTED)
    progress_text = run.state.value if run.state in settled_badly else describe_run(run)
    if run.state is RunState.RUNNING and snapshot.total_epochs:
        progress_text += (
            f" · batch {snapshot.batches_in_epoch}/{snapshot.batches_per_epoch}"
            f" · {format_seconds(snapshot.elapsed_seconds)} elapsed"
            f" · about {format_seconds(snapshot.eta_seconds)} left"
        )
    st.progress(snapshot.fraction_done, text=progress_text)

    loss_column, accuracy_column = st.columns(2)
    version = (run.run_id, snapshot.steps_done, len(snapshot.epochs), snapshot.batches_per_epoch)
    for column, metric in ((loss_column, "loss"), (accuracy_column, "accuracy")):
        figure = built_once_per_version(f"{metric}_curve", version, lambda: training_curve(snapshot, metric))
        with column:
            if run.is_active:  # Redrawn twice a second: in place (see `dashboard.live_plot`).
                live_plot(figure, key=f"live_{metric}_curve")
            else:
                st.plotly_chart(figure, width="stretch", key=f"{metric}_curve")
    points = loaded_dataset(run.dataset_name)
    if run.regions is not None and points is not None:
        show_regions(run.regions, points, key="live_regions")

    epoch_time, speed, rate, test_loss, test_accuracy = st.columns(5)
    epoch_time.metric("Seconds per epoch", format_seconds(snapshot.steady_epoch_seconds),
                      help="Median over the epochs after the first, which also compiles the model.")
    samples = samples_per_second(snapshot, run.train_size, run.config.validation_split)
    speed.metric("Samples per second", "–" if samples is None else f"{samples:,.0f}",
                 help="Training examples per second of an epoch, its validation pass included.")
    last_rate = snapshot.epochs[-1].learning_rate if snapshot.epochs else None
    shown_rate = learning_rate_used(run.spec.compile) if last_rate is None else last_rate
    rate.metric("Learning rate", readable_number(shown_rate),
                help="As it was in the last epoch (schedules change it); before one ended, as the run started.")
    if not run.is_active:  # The scores exist a moment before the run settles (while it is saved).
        if run.test_loss is not None:
            test_loss.metric("Test loss", readable_loss(run.test_loss))
        if run.test_accuracy is not None:
            test_accuracy.metric("Test accuracy", f"{run.test_accuracy:.2%}")
    if snapshot.epochs and not run.is_active:  # A table redrawn twice a second costs the browser more than it shows.
        with st.expander("Every epoch"):
            table = pd.DataFrame([record.to_dict() for record in snapshot.epochs]).dropna(axis="columns", how="all")
            if "learning_rate" in table:
                table["learning_rate"] = table["learning_rate"].map(readable_number)
            st.dataframe(table, hide_index=True, width="stretch")
