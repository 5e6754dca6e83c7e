"""Where things stand, in words: the run's state, and the sidebar every page shows."""

from __future__ import annotations

import streamlit as st

from core.data.catalogue import dataset_outline, loaded_dataset
from core.training.registry import RunState, TrainingRun
from dashboard.live import draw_live
from dashboard.state import (
    current_run,
    run_registry,
    selected_preset,
    training_dataset_name,
    working_spec,
)


def describe_run(run: TrainingRun) -> str:
    """One line about a run, from 'waiting in the queue' to 'finished, test accuracy 92.8%'."""
    if run.state is RunState.QUEUED:
        ahead = run_registry().queue_position(run)
        return f"waiting for a free training slot ({ahead} run(s) ahead in the queue)"
    if run.state is RunState.RUNNING:
        snapshot = run.history.snapshot()
        if not snapshot.total_epochs:
            return "starting: loading TensorFlow and the data"
        return f"training, epoch {snapshot.current_epoch}/{snapshot.total_epochs}"
    if run.state is RunState.PAUSED:
        snapshot = run.history.snapshot()
        return f"paused in epoch {snapshot.current_epoch}/{snapshot.total_epochs}: press Resume to carry on"
    if run.state is RunState.FINISHED:
        accuracy = "" if run.test_accuracy is None else f", test accuracy {run.test_accuracy:.1%}"
        note = f" ({run.message})" if run.message else ""  # Such as a run that trained but could not be saved.
        return f"finished{accuracy}{note}"
    return f"{run.state.value}: {run.message}"


def show_run_line(run: TrainingRun) -> None:
    """The sidebar's line about the run. Drawn on every page while the run is active, so it also tells the registry
    that someone is still watching (a run nobody watches is stopped)."""
    run.seen()
    st.markdown(f"**Run** · {describe_run(run)}")


def render_sidebar() -> None:
    """The model, the dataset and the run, on every page."""
    preset = selected_preset()
    with st.sidebar:
        edited = ", edited" if working_spec() != preset.spec else ""
        st.markdown(f"**Model** · {preset.title}  \n`{preset.name}`{edited}")
        data_name = training_dataset_name(preset)
        dataset = loaded_dataset(data_name)
        if dataset is None:
            st.markdown(f"**Dataset** · `{data_name}` (loads when you open Build or Train)"
                        if data_name != preset.dataset or dataset_outline(data_name).available else
                        f"**Dataset** · `{data_name}`, not in Keras Lab yet: upload yours on Data")
        else:
            st.markdown(
                f"**Dataset** · {dataset.title}, {dataset.train_size:,} train / {dataset.test_size:,} test  \n"
                f"Source: {dataset.source}"
            )
        run = current_run()
        if run is None:
            st.markdown("**Run** · none yet")
        else:
            draw_live(lambda: show_run_line(run), lambda: run.is_active)
