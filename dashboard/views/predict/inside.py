"""Inside the model for one test example: which pixels its answer rests on, and every layer's output."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.data.dataset import Dataset
from core.predict.introspection import layer_activations, occlusion_saliency
from core.predict.predictions import ExamplePredictions
from core.training.run import TrainingRun
from dashboard.figures.examples import probability_bars
from dashboard.figures.predictions import (
    activation_figure,
    feature_maps_figure,
    saliency_figure,
)
from dashboard.session import PREDICT_INDEX_KEY

EXPLAINED_KEY, EXAMPLE_NUMBER_KEY = "inside_class", "inside_example"
RESHAPING_NOTES = {
    "Dropout": "the previous layer's values, unchanged: dropout only acts while the model trains.",
    "Flatten": "the previous layer's values laid out in one row, for the dense layers that follow.",
    "Reshape": "the previous layer's values in a new shape.",
}


def _example_chosen() -> None:
    """The example the learner typed, kept as the index the other views also show."""
    st.session_state[PREDICT_INDEX_KEY] = int(st.session_state[EXAMPLE_NUMBER_KEY]) - 1


def render_inside(run: TrainingRun, model: Any, dataset: Dataset, predictions: ExamplePredictions) -> None:
    index = min(int(st.session_state.get(PREDICT_INDEX_KEY, 0)), predictions.size - 1)
    st.session_state[EXAMPLE_NUMBER_KEY] = index + 1  # Counted from 1, as everywhere a learner sees examples.
    picker, words = st.columns([1, 3], vertical_alignment="bottom")
    picker.number_input(f"Test example (1–{predictions.size:,})", min_value=1, max_value=predictions.size, step=1,
                        key=EXAMPLE_NUMBER_KEY, on_change=_example_chosen)
    names = dataset.class_names
    predicted, label = int(predictions.predicted[index]), int(predictions.labels[index])
    example = dataset.x_test[index]
    shown = "" if dataset.is_image else " ".join(names[int(value)] for value in example) + ": "
    words.markdown(f"{shown}true **{names[label]}**, predicted **{names[predicted]}** "
                   f"({predictions.confidence[index]:.0%} sure)")
    if dataset.is_image:
        show_saliency(run, model, example, names, predicted)
    else:
        st.plotly_chart(probability_bars(predictions.probabilities[index], names, label, predicted), width="stretch",
                        key="inside_probabilities")
    show_layers(run, model, example, names)


def show_saliency(run: TrainingRun, model: Any, example: np.ndarray, names: tuple[str, ...], predicted: int) -> None:
    """An occlusion map: grey out each small patch in turn and see how much the chosen class's probability drops."""
    image, words = st.columns([1, 1])
    explained = words.selectbox("Explain the probability of", range(len(names)), index=predicted,
                                format_func=lambda index: names[index] + (" (the model's answer)" if index == predicted
                                                                          else ""), key=f"{EXPLAINED_KEY}_{predicted}")
    with st.spinner("Hiding one patch at a time…"):
        saliency = occlusion_saliency(model, run.spec, example, explained)
    image.plotly_chart(saliency_figure(example, saliency, f"What the answer '{names[explained]}' rests on"),
                       width="stretch", key="saliency")
    words.markdown("**Saliency by occlusion.** A black patch slides over the image; wherever hiding the pixels "
                   f"lowers the probability of **{names[explained]}**, the overlay turns red. Red over the strokes "
                   "means the model looks where a person would; red elsewhere means it leans on something else.")


def show_layers(run: TrainingRun, model: Any, example: np.ndarray, names: tuple[str, ...]) -> None:
    """Every layer's output: feature maps as a grid per layer, dense outputs as bars, anything else by its shape."""
    activations = layer_activations(model, run.spec, example)
    st.subheader("Layer by layer")
    for position, activation in enumerate(activations, start=1):
        shape = "×".join(str(size) for size in activation.output.shape)
        title = f"Layer {position} · {activation.layer_class} → {shape}"
        if activation.is_feature_map:
            shown = min(activation.output.shape[-1], 32)
            st.plotly_chart(feature_maps_figure(activation.output, f"{title} ({shown} maps shown)"), width="stretch",
                            key=f"layer_{position}")
        elif activation.is_vector and activation.layer_class not in ("Flatten", "Dropout"):
            last = position == len(activations)
            st.plotly_chart(activation_figure(activation.output, title, names if last else None), width="stretch",
                            key=f"layer_{position}")
        else:
            note = RESHAPING_NOTES.get(activation.layer_class, "one row of values per step of the sequence.")
            st.caption(f"{title}: {note}")
