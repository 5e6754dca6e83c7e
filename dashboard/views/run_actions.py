"""What the Runs page's buttons do: rename, delete and open a run. Mistakes come back as a message, not a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

from core.data.catalogue import load_dataset
from core.models.files import load_model_file
from core.models.from_keras import spec_from_model
from core.models.presets import Preset
from core.training.imported import import_model
from core.training.run import TrainingRun
from dashboard.address import PAGES_DIRECTORY
from dashboard.resources import run_registry
from dashboard.session import RUN_KEY, session_owner, set_current_run

COMPARE_KEY = "runs_compare"
UPLOAD_MODEL_KEY = "runs_upload_model"
NOTICE_KEY = "runs_notice"
SELECTED_KEY = "runs_selected"
RUNS_ERROR_KEY = "runs_message"
RENAMES_KEY = "runs_renames"


def rename_run(run: TrainingRun) -> None:
    try:
        run_registry().rename(run, st.session_state[f"runs_name_{run.run_id}"])
    except ValueError as error:
        st.session_state[RUNS_ERROR_KEY] = f"Not renamed: {error}"
        return
    st.session_state[RENAMES_KEY] = st.session_state.get(RENAMES_KEY, 0) + 1


def run_picker_key(value_key: str) -> str:
    """The key of a widget that shows runs by their names, for the run ids kept under `value_key`.

    It changes with every rename: a browser keeps showing the names a widget was first given as long as its
    options (the run ids) stay the same, so a renamed run would go by its old name until a reload.
    """
    key = f"{value_key}_widget_{st.session_state.get(RENAMES_KEY, 0)}"
    st.session_state[key] = st.session_state[value_key]
    return key


def keep_picked(value_key: str, widget_key: str) -> None:
    """A run picker's `on_change`: the choice is kept under the key that outlives the widget."""
    st.session_state[value_key] = st.session_state[widget_key]


def delete_run(run: TrainingRun) -> None:
    try:
        run_registry().delete(run)
    except ValueError as error:
        st.session_state[RUNS_ERROR_KEY] = f"Not deleted: {error}"
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


def model_uploaded(preset: Preset) -> None:
    """Load a .keras file safely for the chosen preset's dataset and keep it as a finished run."""
    upload = st.session_state.get(UPLOAD_MODEL_KEY)
    if upload is None:
        return
    try:
        dataset = load_dataset(preset.dataset_name)
        model = load_model_file(upload.getvalue(), upload.name, dataset.input_shape, dataset.num_classes)
        spec = spec_from_model(model, preset.spec.input_scale, preset.spec.compile)
        run = import_model(run_registry(), session_owner(), preset.name, preset.dataset_name, spec, preset.training, model,
                           upload.name)
    except ValueError as error:
        st.session_state[RUNS_ERROR_KEY] = f"{upload.name} was not loaded: {error}"
        return
    set_current_run(run)
    accuracy = "" if run.test_accuracy is None else f", test accuracy {run.test_accuracy:.1%}"
    st.session_state[NOTICE_KEY] = f"{upload.name} loaded as a run of {preset.name}{accuracy}."


def saved_model_path(run: TrainingRun) -> Path | None:
    """The run's saved `.keras` file, or None while it trains or when it kept none."""
    storage = run_registry().storage
    return storage.model_path(run.run_id) if storage is not None and not run.is_active else None


def model_file_reader(path: Path) -> Callable[[], bytes]:
    """Read the file only when the learner downloads it (not on every rerun); empty if another tab deleted it."""

    def read() -> bytes:
        try:
            return path.read_bytes()
        except OSError:
            return b""

    return read
