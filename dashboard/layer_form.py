"""The Build page's editing widgets: one form per layer, drawn from `core.layers.CATALOGUE`.

Every widget writes through a callback into the working spec (`dashboard.state`), which is the one truth:
widget keys carry the structural-edit counter, so after a move or a removal the widgets start afresh
from the spec instead of keeping a neighbour's values.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from core.editing import change_setting, duplicate_layer, move_layer, parse_shape, remove_layer
from core.layers import Setting, layer_kind
from core.specs import ModelSpec
from dashboard.state import EDIT_ERROR_KEY, set_working_spec, widget_key, working_spec


def _widget_key(position: int, name: str) -> str:
    return widget_key(f"layer{position}", name)


def apply_edit(edit: Callable[[ModelSpec], ModelSpec], structural: bool = True) -> None:
    """Run one edit on the working spec; a refused edit leaves the spec as it was and says why."""
    try:
        set_working_spec(edit(working_spec()), structural)
    except ValueError as error:
        st.session_state[EDIT_ERROR_KEY] = f"That change was not made: {error}"


def _setting_changed(position: int, setting: Setting) -> None:
    value = st.session_state[_widget_key(position, setting.name)]
    if setting.kind == "shape":
        try:
            value = parse_shape(value)
        except ValueError as error:
            st.session_state[EDIT_ERROR_KEY] = f"Layer {position}: {error}"
            return
    apply_edit(lambda spec: change_setting(spec, position, setting.name, value), structural=False)


def _widget_value(setting: Setting, value: Any) -> Any:
    return ", ".join(str(size) for size in value) if setting.kind == "shape" else value


def _setting_widget(position: int, setting: Setting, value: Any) -> None:
    key = _widget_key(position, setting.name)
    st.session_state.setdefault(key, _widget_value(setting, value))
    label = setting.name.replace("_", " ").capitalize()
    common = {"key": key, "help": setting.help, "on_change": _setting_changed, "args": (position, setting)}
    if setting.kind == "choice":
        st.selectbox(label, setting.choices, **common)
    elif setting.kind == "bool":
        st.toggle(label, **common)
    elif setting.kind == "shape":
        st.text_input(label, **common)
    elif setting.kind == "int":
        st.number_input(label, min_value=int(setting.minimum or 1), step=1,
                        placeholder="same as the pool size" if setting.optional else None, **common)
    else:
        maximum = 0.99 if setting.below == 1.0 else None
        step = 0.05 if setting.name == "rate" else 0.001
        st.number_input(label, min_value=setting.minimum, max_value=maximum, step=step, format="%g", **common)


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
