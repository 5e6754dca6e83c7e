"""Build: start from a classic example, then add, edit, reorder and remove layers while shapes update live."""

import streamlit as st

from core.data.catalogue import dataset_outline
from core.models.analysis import analyse_spec
from core.models.compile_options import (
    LOSS_EXPLANATIONS,
    OPTIMIZER_EXPLANATIONS,
    compile_summary,
    suggested_loss,
)
from core.models.editing import input_shape_options
from core.models.layers import CATALOGUE
from core.models.presets import PRESETS
from core.models.spec import LOSSES, METRICS, OPTIMIZERS
from dashboard.build_views import show_readiness, show_take_away
from dashboard.builder import (
    ADD_TYPE_KEY,
    add_layer,
    compile_widget,
    input_shape_changed,
    layer_form,
    summary_table,
    use_default_learning_rate,
)
from dashboard.diagram import layer_caption, model_diagram
from dashboard.state import (
    EDIT_ERROR_KEY,
    PAGES_DIRECTORY,
    PRESET_KEY,
    current_training_config,
    model_link,
    reset_model,
    selected_preset,
    start_from_preset,
    training_dataset,
    widget_key,
    working_spec,
)

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
outline = dataset_outline(preset.dataset)
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

layers_column, summary_column = st.columns(2, gap="large")
with layers_column:
    st.subheader("Layers")
    shapes = input_shape_options(outline.example_shape)
    if tuple(spec.input_shape) not in shapes:
        shapes.append(tuple(spec.input_shape))
    st.session_state.setdefault(widget_key("input", "shape"), tuple(spec.input_shape))
    st.selectbox("Input shape (one example)", shapes, key=widget_key("input", "shape"), on_change=input_shape_changed,
                 help="The same values, arranged for the first layer: flat for Dense, (height, width, channels) for "
                      "Conv2D, (time steps, features) for recurrent layers.")
    if spec.input_scale != 1.0:
        st.caption(f"Inputs are multiplied by {spec.input_scale:.6g} before the first layer (pixels 0–255 become 0–1).")
    problem_positions = {problem.position for problem in analysis.problems}
    table = summary_table(spec, analysis)
    for position, layer in enumerate(spec.layers, start=1):
        icon = ":material/error:" if position in problem_positions else None
        with st.expander(f"{position} · {layer_caption(layer)} → {table['Output shape'][position]}", icon=icon,
                         key=widget_key(f"layer{position}", "panel")):
            layer_form(spec, position)

    add_type, add_position, add_button = st.columns([3, 2, 3], vertical_alignment="bottom")
    add_type.selectbox("Add a layer", list(CATALOGUE), key=ADD_TYPE_KEY,
                       help="  \n".join(f"**{name}**: {kind.summary}" for name, kind in CATALOGUE.items()))
    add_position.number_input("at position", min_value=1, max_value=len(spec.layers) + 1,
                              value=max(len(spec.layers), 1), key=widget_key("add", "position"),
                              help="Where the new layer goes; the default is just before the output layer.")
    add_button.button("Add layer", icon=":material/add:", on_click=add_layer, type="primary", width="stretch")

with summary_column:
    st.subheader("Summary")
    st.dataframe(table, hide_index=True, width="stretch", height="content",  # Every layer, at any type size.
                 column_config={"Param #": st.column_config.NumberColumn(format="localized")})
    st.markdown(f"**Total params** {analysis.total_parameters:,} · **Trainable** {analysis.trainable_parameters:,} · "
                f"**Non-trainable** {analysis.total_parameters - analysis.trainable_parameters:,}")
    st.graphviz_chart(model_diagram(spec, analysis))

st.subheader("Compile")
optimizer, rate, loss, metrics = st.columns(4)
with optimizer:
    compile_widget(st.selectbox, "optimizer", "Optimizer", spec.compile.optimizer, options=OPTIMIZERS,
                   help="  \n".join(f"**{name}**: {text}" for name, text in OPTIMIZER_EXPLANATIONS.items()))
    if spec.compile.optimizer == "sgd":
        compile_widget(st.number_input, "momentum", "Momentum", spec.compile.momentum, min_value=0.0, max_value=0.99,
                       step=0.1, help="0 is plain gradient descent; 0.9 is the usual choice.")
with rate:
    compile_widget(st.number_input, "learning_rate", "Learning rate", spec.compile.learning_rate, min_value=1e-6,
                   format="%g", step=0.0001, placeholder="the optimizer's default",
                   help="Empty: the optimizer's own default.")
    if spec.compile.learning_rate is not None:
        st.button("Use the optimizer's default", on_click=use_default_learning_rate, type="tertiary",
                  icon=":material/restart_alt:")
with loss:
    compile_widget(st.selectbox, "loss", "Loss", spec.compile.loss, options=LOSSES,
                   help="  \n".join(f"**{name}**: {text}" for name, text in LOSS_EXPLANATIONS.items()))
with metrics:
    compile_widget(st.multiselect, "metrics", "Metrics", list(spec.compile.metrics), options=METRICS)
suggested = suggested_loss(spec, outline.num_classes)
labels = "one-hot rows" if spec.uses_one_hot_labels else "class numbers"
st.caption(f"**{spec.compile.optimizer}**: {OPTIMIZER_EXPLANATIONS[spec.compile.optimizer]} Now: "
           f"{compile_summary(spec.compile)}.  \n**{spec.compile.loss}**: {LOSS_EXPLANATIONS[spec.compile.loss]} "
           f"Labels are given as {labels}."
           + ("" if spec.compile.loss == suggested else f" For this output and data the usual loss is **{suggested}**."))

st.subheader("Take it with you")
show_take_away(spec, analysis, preset, current_training_config(preset))
link = model_link()
if link is not None:
    st.markdown("**A link to exactly this model**, to share or to put on a slide:")
    st.code(link, language=None, wrap_lines=True)

if analysis.ok and dataset is not None:
    st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Train this model", icon=":material/monitoring:")
