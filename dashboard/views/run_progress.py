"""One run as the Train page draws it: live while it trains, then settled, with its test scores and every epoch."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.data.catalogue import loaded_dataset
from core.number_text import readable_loss, readable_number
from core.training.run import RunState, TrainingRun
from dashboard.figures.training_curves import training_curve
from dashboard.live import built_once_per_version
from dashboard.live_frames import live_run_frame
from dashboard.views.decision_regions import show_regions
from dashboard.views.run_status import progress_line, speed_metrics


def draw_run(run: TrainingRun) -> None:
    """One run: while it is active, its live frame (progress, curves, decision regions and speed, all updated in
    place: see `dashboard.live_frames`); once it settled, the same drawn by Streamlit, with its test scores and every
    epoch."""
    if run.is_active:
        live_run_frame(run)
        return
    snapshot = run.history.snapshot()
    if run.state is RunState.FAILED:
        st.error(f"Training failed: {run.message}")
    elif run.state is RunState.STOPPED:
        st.warning(f"Training stopped: {run.message}")
    elif run.state is RunState.INTERRUPTED:
        st.warning(f"Training interrupted: {run.message}", icon=":material/restart_alt:")
    elif run.state is RunState.FINISHED and run.message:
        st.info(f"Training finished: {run.message}", icon=":material/flag:")
    st.progress(snapshot.fraction_done, text=progress_line(run, snapshot))
    loss_column, accuracy_column = st.columns(2)
    version = (run.run_id, snapshot.steps_done, len(snapshot.epochs), snapshot.batches_per_epoch)
    for column, metric in ((loss_column, "loss"), (accuracy_column, "accuracy")):
        figure = built_once_per_version(f"{metric}_curve", version, lambda: training_curve(snapshot, metric))
        column.plotly_chart(figure, width="stretch", key=f"{metric}_curve")
    points = loaded_dataset(run.dataset_name)
    if run.regions is not None and points is not None:
        show_regions(run.regions, points, key="live_regions")

    columns = st.columns(5)
    for column, (label, value, explanation) in zip(columns, speed_metrics(run, snapshot)):
        column.metric(label, value, help=explanation)
    test_loss, test_accuracy = columns[3:]
    if run.test_loss is not None:
        test_loss.metric("Test loss", readable_loss(run.test_loss))
    if run.test_accuracy is not None:
        test_accuracy.metric("Test accuracy", f"{run.test_accuracy:.2%}")
    if snapshot.epochs:
        with st.expander("Every epoch"):
            table = pd.DataFrame([record.to_dict() for record in snapshot.epochs]).dropna(axis="columns", how="all")
            if "learning_rate" in table:
                table["learning_rate"] = table["learning_rate"].map(readable_number)
            st.dataframe(table, hide_index=True, width="stretch")
