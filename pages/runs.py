"""Runs: every run of this visitor, kept across reloads and restarts; compare their curves, rename, delete, download."""

import pandas as pd
import streamlit as st

from core.datasets import dataset_outline
from core.history import epochs_csv
from core.run_comparison import comparable_runs
from core.sweeps import SETTINGS as SWEEP_SETTINGS
from dashboard.charts import compared_curves, sweep_chart
from dashboard.live import draw_live
from dashboard.run_actions import (
    COMPARE_KEY,
    MESSAGE_KEY,
    NOTICE_KEY,
    SELECTED_KEY,
    UPLOAD_MODEL_KEY,
    delete_run,
    keep_picked,
    model_file_reader,
    model_uploaded,
    open_run,
    rename_run,
    run_picker_key,
    saved_model_path,
    switch_if_opened,
)
from dashboard.state import PAGES_DIRECTORY, run_registry, selected_preset, session_owner
from dashboard.upload_limit import upload_limit_megabytes

switch_if_opened()
st.title("Runs")
if MESSAGE_KEY in st.session_state:
    st.error(st.session_state.pop(MESSAGE_KEY))
if NOTICE_KEY in st.session_state:
    st.success(st.session_state.pop(NOTICE_KEY), icon=":material/upload:")
preset = selected_preset()
if dataset_outline(preset.dataset).available:
    limit = upload_limit_megabytes()
    st.file_uploader(f"Open a trained model (.keras) for {preset.title}", type=["keras"], key=UPLOAD_MODEL_KEY,
                     on_change=model_uploaded, args=(preset,), max_upload_size=limit,
                     help="Loaded safely: a file with Lambda layers or unknown custom objects is refused, never run. "
                          f"Its input and output must fit this preset's dataset. Up to {limit} MB.")
runs = run_registry().runs_of(session_owner())
if not runs:
    st.info("No runs yet: train a model and it appears here, with its settings, curves and trained model.")
    st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Go to Train", icon=":material/monitoring:")
    st.stop()
st.caption("Your runs are kept on the server with their model. Your address carries your private visitor key: "
           "bookmark it to find them again after closing the browser.")

table = pd.DataFrame([{
    "Name": run.name, "Model": run.preset, "State": run.state.value, "Epochs": len(run.history.snapshot().epochs),
    "Test accuracy": run.test_accuracy, "Seconds per epoch": run.history.snapshot().steady_epoch_seconds,
    "Trained on": run.hardware,
} for run in runs])
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "Test accuracy": st.column_config.NumberColumn(format="percent"),
    "Seconds per epoch": st.column_config.NumberColumn(format="%.2f"),
})

by_id = {run.run_id: run for run in runs}
st.subheader("Compare")
st.session_state.setdefault(COMPARE_KEY, [run.run_id for run in comparable_runs(runs)])
st.session_state[COMPARE_KEY] = [run_id for run_id in st.session_state[COMPARE_KEY] if run_id in by_id]
compare_key = run_picker_key(COMPARE_KEY)
chosen = st.multiselect("Runs to overlay", list(by_id), format_func=lambda run_id: by_id[run_id].name,
                        key=compare_key, on_change=keep_picked, args=(COMPARE_KEY, compare_key),
                        help="At first the newest run and the one before it on the same data.")
if chosen:
    loss, accuracy = st.columns(2)
    loss.plotly_chart(compared_curves([by_id[run_id] for run_id in chosen], "loss"), width="stretch", key="compare_loss")
    accuracy.plotly_chart(compared_curves([by_id[run_id] for run_id in chosen], "accuracy"), width="stretch",
                          key="compare_accuracy")

sweeps = {}
for run in runs:
    if run.sweep:
        sweeps.setdefault(run.sweep, []).append(run)


def draw_sweeps() -> None:
    for sweep_runs in sweeps.values():
        st.subheader("Sweep over " + " and ".join(SWEEP_SETTINGS[setting] for setting in sweep_runs[0].sweep_values))
        finished = sum(run.state.value == "finished" for run in sweep_runs)
        st.caption(f"{finished} of {len(sweep_runs)} runs finished.")
        st.plotly_chart(sweep_chart(sweep_runs), width="stretch", key=f"sweep_{sweep_runs[0].sweep}")


draw_live(draw_sweeps, lambda: any(run.is_active for sweep_runs in sweeps.values() for run in sweep_runs))

st.subheader("One run")
if st.session_state.get(SELECTED_KEY) not in by_id:
    st.session_state[SELECTED_KEY] = next(iter(by_id))
selected_key = run_picker_key(SELECTED_KEY)
run = by_id[st.selectbox("Run", list(by_id), format_func=lambda run_id: by_id[run_id].name, key=selected_key,
                         on_change=keep_picked, args=(SELECTED_KEY, selected_key))]
name, rename = st.columns([3, 1], vertical_alignment="bottom")
name.text_input("Name", value=run.title, max_chars=80, key=f"runs_name_{run.run_id}", placeholder=run.name)
rename.button("Rename", on_click=rename_run, args=(run,), icon=":material/edit:", width="stretch")
open_column, model_column, history_column, delete_column = st.columns(4)
open_column.button("Open on Train", on_click=open_run, args=(run,), icon=":material/monitoring:", width="stretch")
model_path = saved_model_path(run)
model_column.download_button("Download model (.keras)", model_file_reader(model_path) if model_path else b"",
                             file_name=f"{run.run_id}.keras", disabled=model_path is None, on_click="ignore",
                             icon=":material/download:", width="stretch")
history_column.download_button("Download history (CSV)", epochs_csv(run.history.snapshot().epochs),
                               file_name=f"{run.run_id}-history.csv", mime="text/csv", on_click="ignore",
                               icon=":material/table:", width="stretch")
delete_column.button("Delete", on_click=delete_run, args=(run,), icon=":material/delete:", disabled=run.is_active,
                     width="stretch", help="Removes the run and its model from the server.")
