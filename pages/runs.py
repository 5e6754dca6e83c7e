"""Runs: every run of this visitor, kept across reloads and restarts; compare their curves, rename, delete, download."""

import streamlit as st

from core.data.dataset import dataset_outline
from core.training.history import epochs_csv
from dashboard.address import PAGES_DIRECTORY
from dashboard.resources import run_registry
from dashboard.session import selected_preset, session_owner
from dashboard.views.run_actions import (
    NOTICE_KEY,
    RUNS_ERROR_KEY,
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
from dashboard.views.runs_overview import show_comparison, show_runs_table, show_sweeps
from dashboard.views.upload_limit import upload_limit_megabytes

switch_if_opened()
st.title("Runs")
if RUNS_ERROR_KEY in st.session_state:
    st.error(st.session_state.pop(RUNS_ERROR_KEY))
if NOTICE_KEY in st.session_state:
    st.success(st.session_state.pop(NOTICE_KEY), icon=":material/upload:")
preset = selected_preset()
if dataset_outline(preset.dataset_name).available:
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

show_runs_table(runs)
by_id = {run.run_id: run for run in runs}
st.subheader("Compare")
show_comparison(runs)
show_sweeps(runs)

st.subheader("One run")
if st.session_state.get(SELECTED_KEY) not in by_id:
    st.session_state[SELECTED_KEY] = next(iter(by_id))
selected_key = run_picker_key(SELECTED_KEY)
run = by_id[st.selectbox("Run", list(by_id), format_func=lambda run_id: by_id[run_id].display_name, key=selected_key,
                         on_change=keep_picked, args=(SELECTED_KEY, selected_key))]
name, rename = st.columns([3, 1], vertical_alignment="bottom")
name.text_input("Name", value=run.given_name, max_chars=80, key=f"runs_name_{run.run_id}",
               placeholder=run.display_name)
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
