"""Session state and process-wide resources, in one place so every page reads them the same way."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import streamlit as st

from core.presets import PRESETS, Preset
from core.runs import RunRegistry, TrainingRun
from core.storage import RunStorage

PAGES_DIRECTORY = Path(__file__).resolve().parent.parent / "pages"
DEFAULT_PRESET = "mnist-dense512"
MAX_RUNS_VARIABLE = "KERAS_LAB_MAX_RUNS"
"""How many runs may train at once on this server (default 2); the rest wait in a queue."""

PRESET_KEY = "preset"
RUN_KEY = "run_id"
OWNER_KEY = "owner"
TRAINING_KEYS = ("train_epochs", "train_batch_size", "train_validation_split", "train_seed")
PERSISTENT_WIDGET_KEYS = (PRESET_KEY, *TRAINING_KEYS)


@st.cache_resource
def run_registry() -> RunRegistry:
    """The one registry of this server process, shared by every session."""
    return RunRegistry(RunStorage(), max_concurrent=int(os.environ.get(MAX_RUNS_VARIABLE, "2")))


def keep_widget_values() -> None:
    """Streamlit forgets a widget's value when its page is left; writing it back keeps it across pages."""
    for key in PERSISTENT_WIDGET_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def session_owner() -> str:
    """A private id for this browser session, so runs belong to the session that started them."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = uuid.uuid4().hex
    return st.session_state[OWNER_KEY]


def selected_preset() -> Preset:
    return PRESETS[st.session_state.setdefault(PRESET_KEY, DEFAULT_PRESET)]


def reset_training_settings() -> None:
    """After another preset is chosen, the Train page starts again from that preset's defaults."""
    for key in TRAINING_KEYS:
        st.session_state.pop(key, None)


def current_run() -> TrainingRun | None:
    run_id = st.session_state.get(RUN_KEY)
    return run_registry().get(run_id) if run_id else None


def set_current_run(run: TrainingRun) -> None:
    st.session_state[RUN_KEY] = run.run_id
