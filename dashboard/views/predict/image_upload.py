"""Any image model on an image of the learner's own: upload a PNG or JPEG, see what the model makes of it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.data.dataset import Dataset
from core.data.images import decode_image, resize_for_model
from core.predict.drawing import DIGIT_SIZE, digit_from_photo
from core.training.run import TrainingRun
from dashboard.figures.examples import thumbnail
from dashboard.views.predict.draw_digit import show_answer, show_steps

UPLOAD_KEY = "predict_upload"


def render_upload(run: TrainingRun, model: Any, dataset: Dataset) -> None:
    uploaded = st.file_uploader("A PNG or JPEG image", type=["png", "jpg", "jpeg"], key=UPLOAD_KEY)
    if uploaded is None:
        kind = "a photo of a digit written on paper" if dataset.input_shape == (DIGIT_SIZE, DIGIT_SIZE) else "a photo"
        st.info(f"Upload {kind}: OpenCV decodes it and resizes it to the model's input, "
                f"{'×'.join(str(size) for size in dataset.input_shape)}.", icon=":material/upload:")
        return
    try:
        image = decode_image(uploaded.getvalue(), uploaded.name)
        steps, inverted = None, False
        if dataset.input_shape == (DIGIT_SIZE, DIGIT_SIZE):  # A digit model: crop and centre it as MNIST's were.
            steps, inverted = digit_from_photo(image, uploaded.name)
        example = steps.digit if steps is not None else resize_for_model(image, dataset.input_shape)
    except ValueError as error:
        st.error(f"{error}", icon=":material/broken_image:")
        return
    original, answer = st.columns([1, 2])
    with original:
        st.image(image, caption=f"{uploaded.name}: {image.shape[1]}×{image.shape[0]} pixels", width="stretch")
        if steps is None:
            st.image(thumbnail(example), caption=f"What the model sees ({'×'.join(map(str, example.shape))})")
    with answer:
        show_answer(run, model, dataset, example, key="upload_probabilities")
    if steps is not None:
        if inverted:
            st.caption("The paper is lighter than the ink, so the image was inverted first: MNIST's digits are light "
                       "ink on black.")
        show_steps(steps)
