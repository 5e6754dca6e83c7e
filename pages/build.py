"""Build: choose the model. (The layer-by-layer editor grows here.)"""

import pandas as pd
import streamlit as st

from core.presets import PRESETS
from dashboard.state import PAGES_DIRECTORY, PRESET_KEY, dataset_named, reset_training_settings, selected_preset

st.title("Build")
selected_preset()  # Sets the default choice before the widget reads it.
st.selectbox(
    "Start from a classic example",
    options=list(PRESETS),
    format_func=lambda name: f"{PRESETS[name].title}  ({name})",
    key=PRESET_KEY,
    on_change=reset_training_settings,
)
preset = selected_preset()
st.markdown(preset.description)

dataset = dataset_named(preset.dataset)
st.caption(f"**Data** · {dataset.summary()}")

spec = preset.spec
layers = [{"#": 0, "layer": "Input", "settings": f"shape {spec.input_shape}"}] + [
    {"#": position, "layer": layer.type, "settings": ", ".join(f"{key}={value}" for key, value in layer.settings.items())}
    for position, layer in enumerate(spec.layers, start=1)
]
st.dataframe(pd.DataFrame(layers), hide_index=True, width="stretch")

learning_rate = "its default learning rate" if spec.compile.learning_rate is None else f"learning rate {spec.compile.learning_rate:g}"
labels = "one-hot labels" if spec.uses_one_hot_labels else "integer labels"
validation = f"{preset.training.validation_split:.0%} held back for validation" if preset.training.validation_split else "no validation split"
st.markdown(
    f"**Compile** · optimizer `{spec.compile.optimizer}` ({learning_rate}) · loss `{spec.compile.loss}` on {labels} · "
    f"metrics {', '.join(spec.compile.metrics)}  \n"
    f"**Training** · {preset.training.epochs} epochs · batch size {preset.training.batch_size} · {validation}"
)
if spec.input_scale != 1.0:
    st.caption(f"Inputs are multiplied by {spec.input_scale:.6g} before training (pixels 0–255 become 0–1).")

st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Train this model", icon=":material/monitoring:")
