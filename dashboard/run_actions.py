"""What the Runs page's buttons do: rename, delete and open a run. Mistakes come back as a message, not a traceback."""

from __future__ import annotations

import streamlit as st

from core.runs import TrainingRun
from dashboard.state import PAGES_DIRECTORY, RUN_KEY, run_registry, set_current_run

COMPARE_KEY = "runs_compare"
SELECTED_KEY = "runs_selected"
MESSAGE_KEY = "runs_message"


def rename_run(run: TrainingRun) -> None:
    try:
        run_registry().rename(run, st.session_state[f"runs_name_{run.run_id}"])
    except ValueError as error:
        st.session_state[MESSAGE_KEY] = f"Not renamed: {error}"


def delete_run(run: TrainingRun) -> None:
    try:
        run_registry().delete(run)
    except ValueError as error:
        st.session_state[MESSAGE_KEY] = f"Not deleted: {error}"
        return
    if st.session_state.get(RUN_KEY) == run.run_id:
        st.session_state.pop(RUN_KEY)
    st.session_state.pop(SELECTED_KEY, None)


def open_run(run: TrainingRun) -> None:
    set_current_run(run)
    st.session_state["runs_open"] = True


def switch_if_opened() -> None:
    """After "Open on Train" (a callback may not switch pages itself)."""
    if st.session_state.pop("runs_open", False):
        st.switch_page(str(PAGES_DIRECTORY / "train.py"))
