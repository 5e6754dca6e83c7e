"""The test set through the model's eyes: browse examples with filters, the confusion matrix that opens its
cells, the most confident mistakes and the scores per class."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data.dataset import Dataset
from core.predict.predictions import (
    ORDERS,
    OUTCOMES,
    ExamplePredictions,
)
from dashboard.figures.examples import (
    image_figure,
    point_figure,
    probability_bars,
    thumbnail,
)
from dashboard.figures.predictions import confusion_figure, selected_cell
from dashboard.session import (
    BROWSE_VIEW,
    ORDER_KEY,
    OUTCOME_KEY,
    POSITION_KEY,
    PREDICT_INDEX_KEY,
    PREDICT_VIEW_KEY,
    PREDICTED_KEY,
    TRUE_KEY,
)

ANY = "any"
CELL_KEY = "predict_cell"
CONFUSION_KEY = "predict_confusion"
GALLERY_SIZE = 24
GALLERY_COLUMNS = 8


def show_gallery(examples: np.ndarray, predictions: ExamplePredictions, indices: np.ndarray) -> None:
    """Examples with what the model said about each; images in a grid of even columns, anything else as a table."""
    names = predictions.class_names
    captions = [f"#{index + 1} {names[predictions.labels[index]]}→{names[predictions.predicted[index]]} "
                f"{predictions.confidence[index]:.0%}" for index in indices]
    if examples.ndim < 3:
        st.dataframe({"example": captions}, hide_index=True)
        return
    for start in range(0, len(indices), GALLERY_COLUMNS):
        for column, index, caption in zip(st.columns(GALLERY_COLUMNS), indices[start:start + GALLERY_COLUMNS],
                                          captions[start:start + GALLERY_COLUMNS]):
            column.image(thumbnail(examples[index]), caption=caption, width="stretch")


def show_example(dataset: Dataset, predictions: ExamplePredictions, index: int) -> None:
    """One test example: the example itself, its true and predicted label, and the probability of each class."""
    true_label, predicted_label = int(predictions.labels[index]), int(predictions.predicted[index])
    names = dataset.class_names
    example, verdict = st.columns([1, 2])
    with example:
        if dataset.is_image:
            st.plotly_chart(image_figure(dataset.x_test[index]), width="stretch", key="example")
        elif dataset.input_shape == (2,):
            st.plotly_chart(point_figure(dataset.x_test, dataset.y_test, names, index), width="stretch",
                            key="example")
        else:  # A sequence of class indices, such as three letters of the alphabet.
            st.subheader(" ".join(names[int(value)] for value in dataset.x_test[index]) + " → ?")
    with verdict:
        label, guess, confidence = st.columns(3)
        label.metric("True label", names[true_label])
        guess.metric("Predicted", names[predicted_label])
        confidence.metric("Confidence", f"{predictions.confidence[index]:.1%}")
        if predicted_label == true_label:
            st.success(f"Right: the model says {names[predicted_label]} and the label is {names[true_label]}.",
                       icon=":material/check:")
        else:
            st.error(f"Wrong: the model says {names[predicted_label]} but the label is {names[true_label]}.",
                     icon=":material/close:")
        st.plotly_chart(probability_bars(predictions.probabilities[index], names, true_label, predicted_label),
                        width="stretch", key="probabilities")


def _class_option(value: str, names: tuple[str, ...]) -> int | None:
    return None if value == ANY else names.index(value)


def _filtered(predictions: ExamplePredictions) -> np.ndarray:
    names = predictions.class_names
    return predictions.select(
        true_class=_class_option(st.session_state.get(TRUE_KEY, ANY), names),
        predicted_class=_class_option(st.session_state.get(PREDICTED_KEY, ANY), names),
        outcome=st.session_state.get(OUTCOME_KEY, OUTCOMES[0]),
        order=st.session_state.get(ORDER_KEY, ORDERS[0]),
    )


def _back_to_first() -> None:
    st.session_state[POSITION_KEY] = 1


def _step(by: int, count: int) -> None:
    st.session_state[POSITION_KEY] = (st.session_state.get(POSITION_KEY, 1) - 1 + by) % count + 1


def _jump_to_random(count: int) -> None:
    # A generator of its own: whatever seeds NumPy's global one cannot give every visitor the same "random" list.
    st.session_state[POSITION_KEY] = int(np.random.default_rng().integers(1, count + 1))


def show_filters(names: tuple[str, ...]) -> None:
    options = [ANY, *names]
    true_column, predicted_column, outcome_column, order_column = st.columns(4)
    true_column.selectbox("True class", options, key=TRUE_KEY, on_change=_back_to_first)
    predicted_column.selectbox("Predicted class", options, key=PREDICTED_KEY, on_change=_back_to_first)
    outcome_column.segmented_control("Answers", OUTCOMES, key=OUTCOME_KEY, on_change=_back_to_first, required=True)
    order_column.selectbox("Order", ORDERS, key=ORDER_KEY, on_change=_back_to_first)


def render_browser(dataset: Dataset, predictions: ExamplePredictions) -> None:
    """Filters, then one example at a time: by its place in the filtered list, the next, or a random one."""
    st.session_state.setdefault(OUTCOME_KEY, OUTCOMES[0])
    show_filters(predictions.class_names)
    indices = _filtered(predictions)
    if not len(indices):
        st.info("No test example matches these filters: set one of them back to **any** or **all**.")
        return
    count = len(indices)
    st.session_state[POSITION_KEY] = min(max(st.session_state.get(POSITION_KEY, 1), 1), count)
    position, previous, following, shuffle = st.columns([3, 1, 1, 2], vertical_alignment="bottom")
    position.number_input(f"Example (1–{count:,} of those that match)", min_value=1, max_value=count, step=1,
                          key=POSITION_KEY)
    previous.button("Previous", on_click=_step, args=(-1, count), icon=":material/arrow_back:")
    following.button("Next", on_click=_step, args=(1, count), icon=":material/arrow_forward:")
    shuffle.button("Random example", on_click=_jump_to_random, args=(count,), icon=":material/casino:")
    index = int(indices[st.session_state[POSITION_KEY] - 1])
    st.session_state[PREDICT_INDEX_KEY] = index
    st.caption(f"Test example #{index + 1:,}: {count:,} of {predictions.size:,} examples match; the model gets "
               f"{predictions.right[indices].mean():.1%} of those right.")
    show_example(dataset, predictions, index)


def _browse_cell(true_name: str, predicted_name: str) -> None:
    st.session_state.update({TRUE_KEY: true_name, PREDICTED_KEY: predicted_name, OUTCOME_KEY: OUTCOMES[0],
                             ORDER_KEY: ORDERS[1], POSITION_KEY: 1, PREDICT_VIEW_KEY: BROWSE_VIEW})


def render_confusion(dataset: Dataset, predictions: ExamplePredictions) -> None:
    """The confusion matrix; a click on a cell lists its examples, the ones the model was surest of first."""
    names = predictions.class_names
    st.caption(f"Accuracy {predictions.accuracy:.1%} on {predictions.size:,} test examples. Rows are the true "
               "class, columns the model's answer; the diagonal holds the right answers, the red cells the mistakes. "
               "**Click a cell** to see its examples.")
    chart, scores = st.columns([3, 2])
    clicked = selected_cell(st.session_state.get(CONFUSION_KEY), names)  # The click that started this rerun.
    if clicked is not None:
        st.session_state[CELL_KEY] = clicked
    with chart:
        st.plotly_chart(confusion_figure(predictions.confusion_matrix(), names, st.session_state.get(CELL_KEY)),
                        width="stretch", key=CONFUSION_KEY, on_select="rerun", selection_mode="points",
                        config={"displayModeBar": False})
    with scores:
        show_class_scores(predictions)
    cell = st.session_state.get(CELL_KEY)
    if cell is None:
        return
    true_class, predicted_class = cell
    indices = predictions.select(true_class=true_class, predicted_class=predicted_class, order=ORDERS[1])
    verdict = "right" if true_class == predicted_class else "wrong"
    st.subheader(f"True {names[true_class]}, predicted {names[predicted_class]}: {len(indices):,} examples ({verdict})")
    if not len(indices):
        st.info("The model never answered this way on the test set: click another cell.")
        return
    st.button("Browse these one by one", on_click=_browse_cell, args=(names[true_class], names[predicted_class]),
              icon=":material/open_in_new:")
    st.caption(f"The {min(len(indices), GALLERY_SIZE)} the model was surest of, most confident first.")
    show_gallery(dataset.x_test, predictions, indices[:GALLERY_SIZE])


def show_class_scores(predictions: ExamplePredictions) -> None:
    rows = predictions.class_scores()

    def percent(value: float | None) -> float | None:
        return None if value is None else 100 * value

    st.dataframe(
        {"class": [row.name for row in rows], "examples": [row.examples for row in rows],
         "precision": [percent(row.precision) for row in rows], "recall": [percent(row.recall) for row in rows],
         "accuracy": [percent(row.accuracy) for row in rows]},
        hide_index=True,
        column_config={name: st.column_config.NumberColumn(format="%.1f%%") for name in
                       ("precision", "recall", "accuracy")},
    )
    st.caption("Precision: of the examples the model called this class, the share that are. Recall: of this "
               "class's examples, the share it found. Accuracy: this class against the rest, right either way. "
               "An empty cell: the class never occurs, or is never predicted.")


def render_mistakes(dataset: Dataset, predictions: ExamplePredictions) -> None:
    mistakes = predictions.most_confident_mistakes(GALLERY_SIZE)
    wrong = int((~predictions.right).sum())
    if not len(mistakes):
        st.success("The model gets every test example right: there is no mistake to show.")
        return
    st.caption(f"{wrong:,} of {predictions.size:,} test examples are wrong. These are the ones the model was "
               "surest of: often a label that looks wrong, or a digit written unusually.")
    show_gallery(dataset.x_test, predictions, mistakes)
