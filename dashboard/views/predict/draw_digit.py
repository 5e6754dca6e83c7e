"""Draw a digit: the canvas, what the network sees at each step of MNIST's preprocessing, its answer, and the
learner's own test set of saved drawings."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.data.dataset import Dataset
from core.number_text import counted
from core.predict.drawing import DigitSteps, preprocess_drawing
from core.predict.inference import predict_all, predict_one
from core.predict.predictions import predictions_for
from core.training.run import TrainingRun
from dashboard.figures.examples import probability_bars, thumbnail
from dashboard.figures.predictions import confusion_figure
from dashboard.resources import drawn_digits
from dashboard.session import session_owner
from dashboard.views.predict.example_browser import show_class_scores, show_gallery

CANVAS_PIXELS = 280
PEN_KEY, CANVAS_ROUND_KEY, LABEL_KEY, ANSWER_KEY = "draw_pen", "draw_canvas_round", "draw_label", "draw_answer"


def _clear_canvas() -> None:
    st.session_state[CANVAS_ROUND_KEY] = st.session_state.get(CANVAS_ROUND_KEY, 0) + 1  # A new, empty canvas.
    for key in (LABEL_KEY, ANSWER_KEY):  # The next drawing's label follows the model again.
        st.session_state.pop(key, None)


def _label_follows_answer(predicted: int) -> None:
    """The label offered for saving is the model's latest answer, stroke after stroke, until the learner picks
    another one: a selectbox keeps its first value otherwise, and a saved drawing would carry a stale label."""
    label = st.session_state.get(LABEL_KEY)  # None after a visit elsewhere: Streamlit drops an unseen widget's value.
    if label is None or label == st.session_state.get(ANSWER_KEY):
        st.session_state[LABEL_KEY] = predicted
    st.session_state[ANSWER_KEY] = predicted


def show_steps(steps: DigitSteps) -> None:
    """Each step of the preprocessing as a small image, so a learner sees exactly what the network is given."""
    st.markdown("**What the network sees**")
    for column, (title, image) in zip(st.columns(len(steps.steps())), steps.steps()):
        column.image(thumbnail(image), caption=f"{title} ({image.shape[1]}×{image.shape[0]})")


def show_answer(run: TrainingRun, model: Any, dataset: Dataset, digit: np.ndarray, key: str) -> int:
    """The model's answer for one 28×28 digit with the server time it took; returns the predicted class."""
    started = time.perf_counter()
    probabilities = predict_one(model, run.spec, digit)
    milliseconds = (time.perf_counter() - started) * 1000
    predicted = int(probabilities.argmax())
    answer, sureness = st.columns(2)
    answer.metric("The model says", dataset.class_names[predicted])
    sureness.metric("Confidence", f"{probabilities[predicted]:.1%}")
    st.plotly_chart(probability_bars(probabilities, dataset.class_names, None, predicted), width="stretch", key=key)
    st.caption(f"Predicted in {milliseconds:.1f} ms of server time.")
    return predicted


def render_drawing(run: TrainingRun, model: Any, dataset: Dataset) -> None:
    canvas_column, answer_column = st.columns([1, 2])
    with canvas_column:
        st.slider("Pen width", min_value=8, max_value=40, value=22, key=PEN_KEY)
        drawing = st_canvas(stroke_width=st.session_state[PEN_KEY], stroke_color="#FFFFFF", background_color="#000000",
                            width=CANVAS_PIXELS, height=CANVAS_PIXELS, drawing_mode="freedraw", return_image_data=True,
                            key=f"digit_canvas_{st.session_state.get(CANVAS_ROUND_KEY, 0)}")
        st.button("Clear", on_click=_clear_canvas, icon=":material/ink_eraser:")
    image = drawing.image_data if drawing is not None else None
    steps = preprocess_drawing(image) if image is not None else None
    with answer_column:
        if steps is None:
            st.info("Draw a digit on the black square with the mouse (or a finger): the model answers after every "
                    "stroke.", icon=":material/draw:")
            return
        predicted = show_answer(run, model, dataset, steps.digit, key="drawing_probabilities")
    show_steps(steps)
    save_drawing(steps.digit, predicted, dataset)


def save_drawing(digit: np.ndarray, predicted: int, dataset: Dataset) -> None:
    """Keep the drawing, with the label the learner gives it, in their own test set."""
    _label_follows_answer(predicted)
    label_column, save_column = st.columns([1, 2], vertical_alignment="bottom")
    label = label_column.selectbox("It is really a", range(len(dataset.class_names)),
                                   format_func=dataset.class_names.__getitem__, key=LABEL_KEY)
    if save_column.button("Save to my test set", icon=":material/save:"):
        try:
            count = drawn_digits().add(session_owner(), digit, int(label))
        except ValueError as error:
            st.error(f"Not saved: {error}")
            return
        st.success(f"Saved as a {dataset.class_names[label]}: your test set holds {counted(count, 'drawing')}. See them under "
                   "**My drawings**.")


def render_my_drawings(run: TrainingRun, model: Any, dataset: Dataset) -> None:
    """The learner's saved drawings as a test set of their own: accuracy, confusion matrix, every drawing."""
    digits, labels = drawn_digits().load(session_owner())
    if not len(labels):
        st.info("Your test set is empty: draw digits under **Draw a digit** and save each with its label.")
        return
    predictions = predictions_for(predict_all(model, run.spec, digits), labels, dataset.class_names)
    st.metric("Accuracy on your drawings", f"{predictions.accuracy:.1%}",
              f"{int(predictions.right.sum())} of {predictions.size} right", delta_color="off")
    chart, scores = st.columns([3, 2])
    chart.plotly_chart(confusion_figure(predictions.confusion_matrix(), dataset.class_names, None), width="stretch",
                       key="my_confusion")
    with scores:
        show_class_scores(predictions)
    show_gallery(digits, predictions, np.arange(predictions.size))
    undo, clear, _ = st.columns([1, 1, 2])
    if undo.button("Remove the last drawing", icon=":material/undo:"):
        drawn_digits().remove_last(session_owner())
        st.rerun()
    if clear.button("Clear my test set", icon=":material/delete:"):
        drawn_digits().clear(session_owner())
        st.rerun()
