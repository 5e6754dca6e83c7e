"""What one visitor's session holds: who they are, the model they chose and edited, the data they train on, and
the run the pages show. Every page reads them through here, so they agree."""

from __future__ import annotations

import re
import uuid

import streamlit as st

from core.data.catalogue import load_dataset
from core.data.dataset import Dataset, dataset_outline
from core.models.presets import DEFAULT_PRESET, PRESETS, Preset
from core.models.spec import ModelSpec, TrainingConfig
from core.training.run import TrainingRun
from dashboard.resources import run_registry
from dashboard.streamlit_fixes import forget_widget_value

VISITOR_PARAMETER = "visitor"
VISITOR_PATTERN = re.compile(r"[0-9a-f]{32}")

PRESET_KEY = "preset"
SPEC_KEY = "build_spec"
"""The model as the Build page has edited it; absent while it is the preset's own."""
EDITS_KEY = "build_edits"
"""Counts structural edits: the layer widgets' keys carry it, so a moved layer's widgets start afresh."""
EDIT_ERROR_KEY = "build_edit_error"
RUN_KEY = "run_id"
OWNER_KEY = "owner"
DATA_VIEW_KEY = "data_view"
TRAINING_DATA_KEY = "training_data"
"""An uploaded dataset the learner chose to train on, instead of the preset's own."""
TRAINING_KEYS = {name: f"train_{name}" for name in TrainingConfig.__dataclass_fields__}
"""TrainingConfig field → the Train page widget that edits it (`train_epochs`, `train_batch_size`, ...)."""

PREDICT_INDEX_KEY = "predict_index"
PREDICT_VIEW_KEY = "predict_view"
BROWSE_VIEW = "Test examples"
TRUE_KEY, PREDICTED_KEY, OUTCOME_KEY, ORDER_KEY = "predict_true", "predict_predicted", "predict_outcome", "predict_order"
POSITION_KEY = "predict_position"
"""The Predict page's choices, shared by its views: the example shown, and how the test examples are filtered."""

PERSISTENT_WIDGET_KEYS = (PRESET_KEY, PREDICT_VIEW_KEY, TRUE_KEY, PREDICTED_KEY, OUTCOME_KEY, ORDER_KEY, POSITION_KEY,
                          *TRAINING_KEYS.values())
"""The widgets whose values outlive a visit to another page."""


def session_owner() -> str:
    """The visitor's private key: their runs belong to it. It rides in the address (`?visitor=...`), so a reload
    or a bookmark finds the visitor's runs again; a new visitor gets a new random one."""
    if OWNER_KEY not in st.session_state:
        offered = st.query_params.get(VISITOR_PARAMETER, "")
        st.session_state[OWNER_KEY] = offered if VISITOR_PATTERN.fullmatch(offered) else uuid.uuid4().hex
    return st.session_state[OWNER_KEY]


def may_see(run: TrainingRun) -> bool:
    """A visitor sees their own runs, and the ones trained on the command line (shared on purpose), no others."""
    return run.owner in (session_owner(), "cli", "")


def selected_preset() -> Preset:
    return PRESETS[st.session_state.setdefault(PRESET_KEY, DEFAULT_PRESET)]


def training_dataset_name(preset: Preset) -> str:
    """The data the Train page trains on: a dataset the learner uploaded and chose, else the preset's own."""
    return st.session_state.get(TRAINING_DATA_KEY) or preset.dataset_name


def training_dataset(preset: Preset) -> tuple[Dataset | None, str]:
    """The dataset Train would train on, or None and why it is missing (not built in, not cached, deleted)."""
    name = training_dataset_name(preset)
    if name == preset.dataset_name and not dataset_outline(name).available:
        return None, "it is not built into Keras Lab: upload yours on the Data page."
    try:
        return dataset_named(name), ""
    except ValueError as error:
        return None, str(error)


def dataset_named(name: str) -> Dataset:
    """A dataset, with a spinner for the one slow case (a first download of the full MNIST)."""
    with st.spinner(f"Loading the {name} dataset…"):
        return load_dataset(name)


def start_from_preset() -> None:
    """After another preset is chosen, Build shows its layers and Train its defaults, whatever was edited before."""
    for key in TRAINING_KEYS.values():
        forget_widget_value(key)
    reset_model()


def reset_model() -> None:
    """Back to the preset's own model; the training settings stay as the learner set them."""
    for key in (SPEC_KEY, EDIT_ERROR_KEY):
        st.session_state.pop(key, None)
    st.session_state[EDITS_KEY] = st.session_state.get(EDITS_KEY, 0) + 1


def widget_key(scope: str, name: str) -> str:
    """A Build widget's key; it changes with every structural edit, so the widgets start afresh from the spec."""
    return f"{scope}-{st.session_state.get(EDITS_KEY, 0)}-{name}"


def current_training_config(preset: Preset) -> TrainingConfig:
    """The Train page's settings where the learner has set them, the preset's defaults elsewhere."""
    try:
        return training_config_from_widgets(preset)
    except (KeyError, ValueError):
        return preset.training


def working_spec() -> ModelSpec:
    """The model the learner is building: the preset's, with every edit made on the Build page."""
    return st.session_state.get(SPEC_KEY) or selected_preset().spec


def set_working_spec(spec: ModelSpec, structural: bool = True) -> None:
    """Keep an edited spec; a structural edit (add, move, remove, upload) gives the layer widgets new keys."""
    st.session_state[SPEC_KEY] = spec
    st.session_state.pop(EDIT_ERROR_KEY, None)
    if structural:
        st.session_state[EDITS_KEY] = st.session_state.get(EDITS_KEY, 0) + 1


def default_training_settings(preset: Preset) -> None:
    """Fill the Train page's widgets with the preset's defaults where the user has not set them."""
    for field_name, key in TRAINING_KEYS.items():
        st.session_state.setdefault(key, getattr(preset.training, field_name))


def training_config_from_widgets(preset: Preset) -> TrainingConfig:
    """The Train page's settings as a TrainingConfig (each of the type of the preset's); a ValueError says which
    one is wrong."""
    return TrainingConfig(**{name: type(getattr(preset.training, name))(st.session_state[key])
                             for name, key in TRAINING_KEYS.items()})


def current_run() -> TrainingRun | None:
    """The run the pages show: the one last started or opened; during a sweep, whichever of its runs trains now."""
    run_id = st.session_state.get(RUN_KEY)
    run = run_registry().get(run_id) if run_id else None
    if run is None or not may_see(run):
        return None
    following = run_registry().training_member(run) if not run.is_active else None
    if following is not None:
        set_current_run(following)
        return following
    return run


def set_current_run(run: TrainingRun) -> None:
    st.session_state[RUN_KEY] = run.run_id
