"""What the Runs page draws for a visitor's runs: their table, the chosen runs' curves overlaid, and each sweep."""

from __future__ import annotations

from typing import Sequence

import pandas as pd
import streamlit as st

from core.training.comparison import comparable_runs, sweeps_of
from core.training.run import TrainingRun
from core.training.sweeps import SETTINGS as SWEEP_SETTINGS
from dashboard.figures.training_curves import compared_curves, sweep_chart
from dashboard.live import draw_live
from dashboard.views.run_actions import COMPARE_KEY, keep_picked, run_picker_key


def show_runs_table(runs: Sequence[TrainingRun]) -> None:
    table = pd.DataFrame([{
        "Name": run.display_name, "Model": run.preset_name, "State": run.state.value,
        "Epochs": len(run.history.snapshot().epochs),
        "Test accuracy": run.test_accuracy, "Seconds per epoch": run.history.snapshot().steady_epoch_seconds,
        "Trained on": run.hardware,
    } for run in runs])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Test accuracy": st.column_config.NumberColumn(format="percent"),
        "Seconds per epoch": st.column_config.NumberColumn(format="%.2f"),
    })


def show_comparison(runs: Sequence[TrainingRun]) -> None:
    """The loss and accuracy curves of the runs the visitor picks (at first, comparable ones) on shared charts."""
    by_id = {run.run_id: run for run in runs}
    st.session_state.setdefault(COMPARE_KEY, [run.run_id for run in comparable_runs(runs)])
    st.session_state[COMPARE_KEY] = [run_id for run_id in st.session_state[COMPARE_KEY] if run_id in by_id]
    compare_key = run_picker_key(COMPARE_KEY)
    chosen = st.multiselect("Runs to overlay", list(by_id), format_func=lambda run_id: by_id[run_id].display_name,
                            key=compare_key, on_change=keep_picked, args=(COMPARE_KEY, compare_key),
                            help="At first the newest run and the one before it on the same data.")
    if chosen:
        loss, accuracy = st.columns(2)
        loss.plotly_chart(compared_curves([by_id[run_id] for run_id in chosen], "loss"), width="stretch",
                          key="compare_loss")
        accuracy.plotly_chart(compared_curves([by_id[run_id] for run_id in chosen], "accuracy"), width="stretch",
                              key="compare_accuracy")


def show_sweeps(runs: Sequence[TrainingRun]) -> None:
    """Each sweep's chart, redrawn live while any of its runs trains."""
    sweeps = sweeps_of(runs)

    def draw_sweeps() -> None:
        for sweep_runs in sweeps:
            varied = " and ".join(SWEEP_SETTINGS[setting] for setting in sweep_runs[0].sweep_values)
            st.subheader(f"Sweep over {varied}")
            finished = sum(run.state.value == "finished" for run in sweep_runs)
            st.caption(f"{finished} of {len(sweep_runs)} runs finished.")
            st.plotly_chart(sweep_chart(sweep_runs), width="stretch", key=f"sweep_{sweep_runs[0].sweep}")

    draw_live(draw_sweeps, lambda: any(run.is_active for sweep_runs in sweeps for run in sweep_runs))
