"""Build: start from a classic example, then add, edit, reorder and remove layers while shapes update live."""

import streamlit as st

from core.data.dataset import dataset_outline
from core.models.analysis import analyse_spec
from core.models.presets import PRESETS
from dashboard.address import PAGES_DIRECTORY
from dashboard.session import (
    EDIT_ERROR_KEY,
    PRESET_KEY,
    current_training_config,
    reset_model,
    selected_preset,
    start_from_preset,
    training_dataset,
    working_spec,
)
from dashboard.views.build_editor import show_compile, show_layers, summary_table
from dashboard.views.build_summary import show_readiness, show_summary, show_take_away

st.title("Build")
selected_preset()  # Sets the default choice before the widget reads it.
st.selectbox(
    "Start from a classic example",
    options=list(PRESETS),
    format_func=lambda name: f"{PRESETS[name].title}  ({name})",
    key=PRESET_KEY,
    on_change=start_from_preset,
)
preset = selected_preset()
outline = dataset_outline(preset.dataset_name)
spec = working_spec()
dataset, data_problem = training_dataset(preset)
if dataset is None:
    analysis = analyse_spec(spec, outline.example_shape, outline.num_classes)
else:
    analysis = analyse_spec(spec, dataset.input_shape, dataset.num_classes)
st.markdown(preset.description)
if dataset is not None:
    st.caption(f"**Data** · {dataset.summary()}")
else:
    st.caption(f"**Data** · {outline.title}: one example is {outline.example_shape}, {outline.num_classes} classes.")

if EDIT_ERROR_KEY in st.session_state:
    st.warning(st.session_state[EDIT_ERROR_KEY], icon=":material/undo:")
if spec != preset.spec:
    st.button("Back to the preset's model", icon=":material/restart_alt:", on_click=reset_model)
show_readiness(spec, analysis, dataset, data_problem)

table = summary_table(spec, analysis)
layers_column, summary_column = st.columns(2, gap="large")
with layers_column:
    st.subheader("Layers")
    show_layers(spec, analysis, table, outline.example_shape)
with summary_column:
    st.subheader("Summary")
    show_summary(spec, analysis, table)

st.subheader("Compile")
show_compile(spec, outline.num_classes)

st.subheader("Take it with you")
show_take_away(spec, analysis, preset, current_training_config(preset))

if analysis.ok and dataset is not None:
    st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Train this model", icon=":material/monitoring:")
