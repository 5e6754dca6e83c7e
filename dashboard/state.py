"""Session state and process-wide resources, in one place so every page reads them the same way."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from core.data.catalogue import UPLOADED_NAME, Dataset, dataset_outline, load_dataset
from core.models.presets import PRESETS, Preset
from core.models.share_link import spec_from_token, spec_token
from core.models.spec import ModelSpec, TrainingConfig
from core.settings import max_concurrent_runs, orphan_seconds
from core.training.registry import RunRegistry, TrainingRun
from core.training.storage import RunStorage

PAGES_DIRECTORY = Path(__file__).resolve().parent.parent / "pages"
DEFAULT_PRESET = "mnist-dense512"

PRESET_KEY = "preset"
SPEC_KEY = "build_spec"
"""The model as the Build page has edited it; absent while it is the preset's own."""
EDITS_KEY = "build_edits"
"""Counts structural edits: the layer widgets' keys carry it, so a moved layer's widgets start afresh."""
EDIT_ERROR_KEY = "build_edit_error"
SPEC_PARAMETER = "spec"
URL_READ_KEY = "url_read"
"""Set once the address has been read: after that, the session's own choices write the address, not read it."""
RUN_KEY = "run_id"
OWNER_KEY = "owner"
PREDICT_INDEX_KEY = "predict_index"
PREDICT_VIEW_KEY = "predict_view"
DATA_VIEW_KEY = "data_view"
TRAINING_DATA_KEY = "training_data"
"""An uploaded dataset the learner chose to train on, instead of the preset's own."""
BROWSE_VIEW = "Test examples"
TRUE_KEY, PREDICTED_KEY, OUTCOME_KEY, ORDER_KEY = "predict_true", "predict_predicted", "predict_outcome", "predict_order"
POSITION_KEY = "predict_position"
RUN_PARAMETER = "run"
VISITOR_PARAMETER = "visitor"
VISITOR_PATTERN = re.compile(r"[0-9a-f]{32}")
PRESET_PARAMETER = "preset"
DATA_PARAMETER = "data"
TRAINING_KEYS = {name: f"train_{name}" for name in TrainingConfig.__dataclass_fields__}
"""TrainingConfig field → the Train page widget that edits it (`train_epochs`, `train_batch_size`, ...)."""
KEPT_VALUES_KEY = "kept_widget_values"
PERSISTENT_WIDGET_KEYS = (PRESET_KEY, PREDICT_VIEW_KEY, TRUE_KEY, PREDICTED_KEY, OUTCOME_KEY, ORDER_KEY, POSITION_KEY,
                          *TRAINING_KEYS.values())


@st.cache_resource
def run_registry() -> RunRegistry:
    """The one registry of this server process, shared by every session."""
    return RunRegistry(RunStorage(), max_concurrent=max_concurrent_runs(), orphan_seconds=orphan_seconds())


def keep_widget_values() -> None:
    """Streamlit forgets a widget's value when its page is left; writing it back keeps it across pages.

    A copy is also kept under a key no widget owns: when a page's run is cut short by the next click (a slow page
    left at once), Streamlit can drop the widget values even though they were written back, and the copy restores
    them.
    """
    kept = st.session_state.setdefault(KEPT_VALUES_KEY, {})
    for key in PERSISTENT_WIDGET_KEYS:
        if key in st.session_state:
            kept[key] = st.session_state[key]
        if key in kept:
            st.session_state[key] = kept[key]


def forget_widget_value(key: str) -> None:
    """Drop a widget's value for good (back to its default), the kept copy too."""
    st.session_state.pop(key, None)
    st.session_state.get(KEPT_VALUES_KEY, {}).pop(key, None)


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
    return st.session_state.get(TRAINING_DATA_KEY) or preset.dataset


def training_dataset(preset: Preset) -> tuple[Dataset | None, str]:
    """The dataset Train would train on, or None and why it is missing (not built in, not cached, deleted)."""
    name = training_dataset_name(preset)
    if name == preset.dataset and not dataset_outline(name).available:
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


def sync_with_url() -> None:
    """The visitor's key, the chosen preset, the edited model, the uploaded data chosen for training and the current
    run ride in the address (`?visitor=...&preset=...&spec=...&data=...&run=...`).

    A reload or a bookmark then opens the same model and run, and finds the visitor's runs; an unknown value is
    ignored, and another visitor's run is not shown.
    """
    if PRESET_KEY not in st.session_state and st.query_params.get(PRESET_PARAMETER) in PRESETS:
        st.session_state[PRESET_KEY] = st.query_params[PRESET_PARAMETER]
    if RUN_KEY not in st.session_state and RUN_PARAMETER in st.query_params:
        run = run_registry().get(st.query_params[RUN_PARAMETER])
        if run is None or not may_see(run):
            del st.query_params[RUN_PARAMETER]
        else:
            st.session_state[RUN_KEY] = run.run_id
            if PRESET_KEY not in st.session_state and run.preset in PRESETS:
                st.session_state[PRESET_KEY] = run.preset
                if SPEC_PARAMETER not in st.query_params and run.spec != PRESETS[run.preset].spec:
                    st.session_state[SPEC_KEY] = run.spec  # The run trained an edited model: show that one.
    first_visit = not st.session_state.get(URL_READ_KEY)
    st.session_state[URL_READ_KEY] = True
    if first_visit and SPEC_PARAMETER in st.query_params:
        _spec_from_url()
    if first_visit and UPLOADED_NAME.fullmatch(st.query_params.get(DATA_PARAMETER, "")):
        st.session_state[TRAINING_DATA_KEY] = st.query_params[DATA_PARAMETER]
    edited = working_spec() != selected_preset().spec
    wanted = {VISITOR_PARAMETER: session_owner(), PRESET_PARAMETER: selected_preset().name,
              RUN_PARAMETER: st.session_state.get(RUN_KEY),
              SPEC_PARAMETER: spec_token(working_spec()) if edited else None,
              DATA_PARAMETER: st.session_state.get(TRAINING_DATA_KEY)}
    for parameter, value in wanted.items():
        if value is not None and st.query_params.get(parameter) != value:
            st.query_params[parameter] = value
        elif value is None and parameter in st.query_params:
            del st.query_params[parameter]


def model_link() -> str | None:
    """A link that opens this preset with this model, for a slide or a chat (None where the address is unknown)."""
    if not st.context.url:
        return None
    parameters = {PRESET_PARAMETER: selected_preset().name}
    if working_spec() != selected_preset().spec:
        parameters[SPEC_PARAMETER] = spec_token(working_spec())
    return f"{st.context.url}?{urlencode(parameters)}"


def _spec_from_url() -> None:
    """A model carried by a shared link; a damaged one is dropped and said so, the preset stays."""
    try:
        st.session_state[SPEC_KEY] = spec_from_token(st.query_params[SPEC_PARAMETER])
    except ValueError as error:
        st.session_state[EDIT_ERROR_KEY] = f"The link's model could not be opened: {error} The preset is shown instead."
