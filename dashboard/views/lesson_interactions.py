"""Something to touch in each lesson: sliders and pictures drawn from `core.learn.lesson_math` and real models."""

from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from core.data.catalogue import load_dataset
from core.learn.backprop import DEFAULT_EXAMPLE, backprop_steps
from core.learn.lesson_math import (
    KERNELS,
    activation,
    convolve,
    descent_path,
    describe_descent,
    image_path,
    max_pool,
    output_size,
    sample_photo,
    unrolled_rnn,
)
from core.models.analysis import analyse_spec
from core.models.presets import get_preset
from dashboard.figures.diagram import model_diagram
from dashboard.figures.examples import image_figure, thumbnail
from dashboard.figures.lessons import (
    ACTIVATIONS,
    activations_figure,
    descent_figure,
    rnn_states_figure,
)

DESCENT_STEPS = 25


def network() -> None:
    """A real small model's layers: the spiral network, two inputs, one hidden layer of 10, three outputs."""
    spec = get_preset("spiral-dense10").spec
    st.graphviz_chart(model_diagram(spec, analyse_spec(spec, (2,), 3)))
    st.caption("The spiral preset: an input layer of 2 numbers (a point's x and y), one hidden layer of 10 units, "
               "an output layer of 3 (one per arm). One hidden layer: a shallow network.")


def activations() -> None:
    value = st.slider("Input to the activation", -15.0, 15.0, 2.0, 0.5, key="learn_activation_input")
    for column, name in zip(st.columns(len(ACTIVATIONS)), ACTIVATIONS):
        column.metric(f"{name}({value:g})", f"{float(activation(name, np.array([value]))[0]):.3f}")
    st.plotly_chart(activations_figure(value), width="stretch", key="learn_activations")


def gradient_descent() -> None:
    rate_column, start_column = st.columns(2)
    rate = rate_column.slider("Learning rate", 0.01, 1.2, 0.2, 0.01, key="learn_rate")
    start = start_column.slider("Where the ball starts (w)", -5.0, 10.0, -3.0, 0.5, key="learn_start")
    path = descent_path(start, rate, DESCENT_STEPS)
    st.plotly_chart(descent_figure(path), width="stretch", key="learn_descent")
    st.info(describe_descent(path), icon=":material/sports_baseball:")


def backpropagation() -> None:
    steps = backprop_steps(*DEFAULT_EXAMPLE)
    st.dataframe([{"step": step.name, "how": step.formula, "value": round(step.value, 4)} for step in steps],
                 hide_index=True, width="stretch")


def convolution() -> None:
    digit = load_dataset("mnist").x_test[0].astype(np.float32) / 255
    kernel_column, stride_column, padding_column, pool_column = st.columns(4)
    kernel_name = kernel_column.selectbox("Kernel", list(KERNELS), key="learn_kernel")
    stride = stride_column.slider("Stride", 1, 3, 1, key="learn_stride")
    padding = padding_column.slider("Padding", 0, 2, 0, key="learn_padding")
    pooled = pool_column.checkbox("Then max-pool 2×2", key="learn_pool")
    kernel = KERNELS[kernel_name]
    size = output_size(28, kernel.shape[0], stride, padding)
    feature_map = convolve(digit, kernel, stride, padding)
    if pooled:
        feature_map = max_pool(feature_map, 2)
    st.markdown(f"Output width = ⌊(28 + 2×{padding} − {kernel.shape[0]}) / {stride}⌋ + 1 = **{size}**"
                + (f", then pooled to **{feature_map.shape[0]}**" if pooled else ""))
    before, after = st.columns(2)
    before.plotly_chart(image_figure(digit), width="stretch", key="learn_digit")
    after.plotly_chart(image_figure(feature_map), width="stretch", key="learn_feature_map")


def recurrent() -> None:
    sentence = st.text_input("A short sentence", "the movie was great", key="learn_sentence", max_chars=80)
    try:
        steps = unrolled_rnn(sentence)
    except ValueError as error:
        st.warning(f"{error}")
        return
    st.plotly_chart(rnn_states_figure(steps), width="stretch", key="learn_rnn")
    st.caption("The same weights read every word; the state carries what was read so far into the next step.")


def own_images() -> None:
    steps = image_path(sample_photo(), 128, class_index=1, classes=2)
    images = [(title, value) for title, value in steps if np.ndim(value) >= 2]
    for column, (title, value) in zip(st.columns(len(images)), images):
        shown = np.clip(value * 255, 0, 255).astype(np.uint8) if value.dtype.kind == "f" else value
        column.image(thumbnail(shown) if shown.shape[0] < 84 else shown, caption=title, width="stretch",
                     channels="BGR" if title.lower().startswith("read") else "RGB")
    for title, value in steps:
        if np.ndim(value) == 1:
            st.markdown(f"**{title}** · `{np.asarray(value).astype(int).tolist()}` (classes: cat, dog)")


INTERACTIONS: dict[str, Callable[[], None]] = {
    "network": network, "activations": activations, "gradient-descent": gradient_descent,
    "backpropagation": backpropagation, "convolution": convolution, "recurrent": recurrent, "own-images": own_images,
}
