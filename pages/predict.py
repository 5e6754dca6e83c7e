"""Predict: what did the network learn? Every test example explained, a digit you draw, the model's inside."""

import streamlit as st

from core.training.run import RunState
from dashboard.address import PAGES_DIRECTORY
from dashboard.live import draw_live
from dashboard.resources import run_registry
from dashboard.session import PREDICT_VIEW_KEY, current_run, dataset_named
from dashboard.views.predict.menu import views_for
from dashboard.views.run_status import describe_run

st.title("Predict")
run = current_run()
if run is None:
    st.info("No trained model yet: train one first.")
    st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Go to Train", icon=":material/monitoring:")
    st.stop()
if run.is_active:
    draw_live(lambda: st.info(f"Your run is {describe_run(run)}. Its predictions appear here when it ends."),
              lambda: run.is_active)
    st.stop()
with st.spinner("Loading the trained model…"):
    model = run_registry().trained_model(run)
if run.state is RunState.FAILED or model is None:
    st.error(f"This run has no trained model ({describe_run(run)}). Train again on the Train page.")
    st.stop()

dataset = dataset_named(run.dataset_name)
accuracy = "" if run.test_accuracy is None else f", test accuracy {run.test_accuracy:.2%}"
if run.state is RunState.INTERRUPTED:
    accuracy = f", interrupted: its checkpoint of epoch {run.model_epochs}"
st.caption(f"Model `{run.preset_name}` (run {run.run_id}{accuracy}) on {dataset.test_size:,} test examples of "
           f"{dataset.title}.")

views = views_for(dataset)
if st.session_state.get(PREDICT_VIEW_KEY) not in views:
    st.session_state[PREDICT_VIEW_KEY] = next(iter(views))
st.segmented_control("View", list(views), key=PREDICT_VIEW_KEY, required=True, label_visibility="collapsed")
views[st.session_state[PREDICT_VIEW_KEY]](run, model, dataset)
