"""The Build page's widgets and their callbacks: the input shape, a form per layer (drawn from
`core.models.layers.CATALOGUE`), adding a layer, the compile settings, opening a spec file, and the summary table.

Every widget writes through a callback into the working spec (`dashboard.session`), which is the one truth:
widget keys carry the structural-edit counter, so after a move, a removal or a refused edit the widgets
start afresh from the spec instead of keeping a neighbour's (or a refused) value.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd
import streamlit as st

from core.models.analysis import SpecAnalysis
from core.models.compile_options import (
    LOSS_EXPLANATIONS,
    OPTIMIZER_EXPLANATIONS,
    compile_summary,
    suggested_loss,
)
from core.models.editing import (
    change_compile,
    change_input_shape,
    change_setting,
    duplicate_layer,
    input_shape_options,
    insert_layer,
    move_layer,
    parse_shape,
    remove_layer,
)
from core.models.layers import CATALOGUE, Setting, layer_kind
from core.models.spec import LOSSES, METRICS, OPTIMIZERS, ModelSpec
from dashboard.figures.diagram import layer_caption
from dashboard.session import (
    EDIT_ERROR_KEY,
    EDITS_KEY,
    set_working_spec,
    widget_key,
    working_spec,
)

ADD_TYPE_KEY, UPLOAD_KEY = "build_add_type", "build_upload"


def _widget_key(position: int, name: str) -> str:
    return widget_key(f"layer{position}", name)


def apply_edit(edit: Callable[[ModelSpec], ModelSpec], structural: bool = True) -> None:
    """Run one edit on the working spec; a refused edit leaves the spec as it was and says why."""
    try:
        set_working_spec(edit(working_spec()), structural)
    except ValueError as error:
        _refuse(f"That change was not made: {error}")


def _refuse(message: str) -> None:
    """Say why, and give the widgets new keys so they show the spec again rather than the refused value."""
    st.session_state[EDIT_ERROR_KEY] = message
    st.session_state[EDITS_KEY] = st.session_state.get(EDITS_KEY, 0) + 1


SAME_AS_WINDOW = 0
"""What the strides choice shows as 'same as the pool size' (Keras's strides=None)."""


def _setting_changed(position: int, setting: Setting) -> None:
    value = st.session_state[_widget_key(position, setting.name)]
    if setting.optional and value == SAME_AS_WINDOW:
        value = None
    if setting.kind == "shape":
        try:
            value = parse_shape(value)
        except ValueError as error:
            _refuse(f"Layer {position}: {error}")
            return
    apply_edit(lambda spec: change_setting(spec, position, setting.name, value), structural=False)


def _widget_value(setting: Setting, value: Any) -> Any:
    return ", ".join(str(size) for size in value) if setting.kind == "shape" else value


def _setting_widget(position: int, setting: Setting, value: Any) -> None:
    key = _widget_key(position, setting.name)
    label = setting.name.replace("_", " ").capitalize()
    common = {"key": key, "help": setting.help, "on_change": _setting_changed, "args": (position, setting)}
    if setting.optional:  # Pooling strides: a choice, so that "same as the pool size" can be chosen again.
        st.session_state.setdefault(key, SAME_AS_WINDOW if value is None else value)
        choices = sorted({SAME_AS_WINDOW, *range(1, 9), st.session_state[key]})
        st.selectbox(label, choices, format_func=lambda stride: "same as the pool size" if stride == SAME_AS_WINDOW
                     else str(stride), **common)
        return
    st.session_state.setdefault(key, _widget_value(setting, value))
    if setting.kind == "choice":
        st.selectbox(label, setting.choices, **common)
    elif setting.kind == "bool":
        st.toggle(label, **common)
    elif setting.kind == "shape":
        st.text_input(label, **common)
    elif setting.kind == "int":  # No bounds on the widget: it would clamp -5 silently; the spec's check says why.
        st.number_input(label, step=1, **common)
    else:
        st.number_input(label, step=0.05 if setting.name == "rate" else 0.001, format="%g", **common)


def layer_form(spec: ModelSpec, position: int) -> None:
    """The settings of layer `position`, then buttons to move, duplicate or remove it."""
    layer = spec.layers[position - 1]
    kind = layer_kind(layer.type)
    st.caption(kind.summary)
    columns = st.columns(2)
    shown = [setting for setting in kind.settings
             if not (setting.name == "regularization_factor" and layer.settings["kernel_regularizer"] == "none")]
    for index, setting in enumerate(shown):
        with columns[index % 2]:
            _setting_widget(position, setting, layer.settings[setting.name])
    last = len(spec.layers)
    actions = (
        ("up", ":material/arrow_upward:", "Move this layer up", position == 1, lambda current: move_layer(current, position, -1)),
        ("down", ":material/arrow_downward:", "Move this layer down", position == last,
         lambda current: move_layer(current, position, 1)),
        ("copy", ":material/content_copy:", "Insert a copy of this layer right after it", False,
         lambda current: duplicate_layer(current, position)),
        ("remove", ":material/delete:", "Remove this layer", False, lambda current: remove_layer(current, position)),
    )
    for column, (name, icon, help_text, disabled, edit) in zip(st.columns(len(actions)), actions):
        column.button(icon, key=_widget_key(position, name), help=help_text, disabled=disabled, on_click=apply_edit,
                      args=(edit,), width="stretch")


def show_layers(spec: ModelSpec, analysis: SpecAnalysis, table: pd.DataFrame, example_shape: tuple[int, ...]) -> None:
    """The input shape, a panel per layer (marked where the model breaks), and the row that adds a layer."""
    shapes = input_shape_options(example_shape)
    if tuple(spec.input_shape) not in shapes:
        shapes.append(tuple(spec.input_shape))
    st.session_state.setdefault(widget_key("input", "shape"), tuple(spec.input_shape))
    st.selectbox("Input shape (one example)", shapes, key=widget_key("input", "shape"), on_change=input_shape_changed,
                 help="The same values, arranged for the first layer: flat for Dense, (height, width, channels) for "
                      "Conv2D, (time steps, features) for recurrent layers.")
    if spec.input_scale != 1.0:
        st.caption(f"Inputs are multiplied by {spec.input_scale:.6g} before the first layer (pixels 0–255 become "
                   "0–1).")
    problem_positions = {problem.position for problem in analysis.problems}
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


def add_layer() -> None:
    layer_type, position = st.session_state[ADD_TYPE_KEY], int(st.session_state[widget_key("add", "position")])
    apply_edit(lambda spec: insert_layer(spec, position, layer_type))


def spec_uploaded() -> None:
    """A spec file replaces the model only when all of it checks out; otherwise the model stays and the page says why."""
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        set_working_spec(ModelSpec.from_json(upload.getvalue().decode("utf-8", errors="replace")))
    except ValueError as error:
        st.session_state[EDIT_ERROR_KEY] = f"{upload.name} was not loaded: {error} Your model is unchanged."


def input_shape_changed() -> None:
    apply_edit(lambda spec: change_input_shape(spec, st.session_state[widget_key("input", "shape")]), structural=False)


def _compile_changed(setting: str) -> None:
    value = st.session_state[widget_key("compile", setting)]
    apply_edit(lambda spec: change_compile(spec, **{setting: tuple(value) if setting == "metrics" else value}),
               structural=False)


def compile_widget(widget: Callable[..., Any], setting: str, label: str, value: Any, **options: Any) -> None:
    """One compile setting, started from the spec and written back to it when changed.

    A value of None (the learning rate: the optimizer's default) is given as an argument, since Streamlit shows
    an empty number input only then.
    """
    key = widget_key("compile", setting)
    if value is None:
        options["value"] = None
    else:
        st.session_state.setdefault(key, value)
    widget(label, key=key, on_change=_compile_changed, args=(setting,), **options)


def use_default_learning_rate() -> None:
    apply_edit(lambda spec: change_compile(spec, learning_rate=None))


def show_compile(spec: ModelSpec, num_classes: int) -> None:
    """Optimizer, learning rate, loss and metrics, then what each choice means and the loss usual for this model."""
    optimizer, rate, loss, metrics = st.columns(4)
    with optimizer:
        compile_widget(st.selectbox, "optimizer", "Optimizer", spec.compile.optimizer, options=OPTIMIZERS,
                       help="  \n".join(f"**{name}**: {text}" for name, text in OPTIMIZER_EXPLANATIONS.items()))
        if spec.compile.optimizer == "sgd":
            compile_widget(st.number_input, "momentum", "Momentum", spec.compile.momentum, min_value=0.0,
                           max_value=0.99, step=0.1, help="0 is plain gradient descent; 0.9 is the usual choice.")
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
    suggested = suggested_loss(spec, num_classes)
    labels = "one-hot rows" if spec.uses_one_hot_labels else "class numbers"
    usual = "" if spec.compile.loss == suggested else f" For this output and data the usual loss is **{suggested}**."
    st.caption(f"**{spec.compile.optimizer}**: {OPTIMIZER_EXPLANATIONS[spec.compile.optimizer]} Now: "
               f"{compile_summary(spec.compile)}.  \n**{spec.compile.loss}**: {LOSS_EXPLANATIONS[spec.compile.loss]} "
               f"Labels are given as {labels}.{usual}")


def keras_shape(shape: tuple[int, ...]) -> str:
    """Shapes as `model.summary()` prints them, with the batch axis as None."""
    return str((None, *shape))


def summary_table(spec: ModelSpec, analysis: SpecAnalysis) -> pd.DataFrame:
    """What `model.summary()` prints: a row per layer (a '?' from the first layer that cannot take its input).

    Counts are floats so that an absurd model (a trillion units) still shows instead of overflowing int64.
    """
    rows = {row.position: row for row in analysis.rows}
    table = [{"Layer": "Input", "Output shape": keras_shape(tuple(spec.input_shape)), "Param #": 0.0}] + [
        {"Layer": f"{position} · {layer_caption(layer)}",
         "Output shape": keras_shape(rows[position].output_shape) if position in rows else "?",
         "Param #": float(rows[position].parameters) if position in rows else None}
        for position, layer in enumerate(spec.layers, start=1)
    ]
    return pd.DataFrame(table)
