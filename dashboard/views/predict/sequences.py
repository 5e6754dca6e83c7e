"""Models of sequences: the alphabet LSTM's next letter, and a typed review for a sentiment model."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.data.dataset import Dataset
from core.data.reviews import encode_review
from core.models.inputs import vocabulary_size
from core.predict.inference import predict_one
from core.predict.predictions import ExamplePredictions
from core.training.run import TrainingRun
from dashboard.figures.examples import probability_bars

REVIEW_KEY = "predict_review"
SAMPLE_REVIEW = "This movie was wonderful: the acting was great and the story moved me."


def render_next_letter(run: TrainingRun, model: Any, dataset: Dataset) -> None:
    """Pick the letters of a window; the model says which letter comes next."""
    names = dataset.class_names
    window = dataset.input_shape[0]
    columns = st.columns(window + 1, vertical_alignment="bottom")
    picked = [columns[position].selectbox(f"Letter {position + 1}", range(len(names)), index=position,
                                          format_func=names.__getitem__, key=f"predict_letter_{position}")
              for position in range(window)]
    probabilities = predict_one(model, run.spec, np.array(picked, dtype=np.uint8))
    predicted = int(probabilities.argmax())
    in_order = all(later == earlier + 1 for earlier, later in zip(picked, picked[1:]))
    expected = picked[-1] + 1 if in_order and picked[-1] + 1 < len(names) else None
    columns[window].metric("Next letter", names[predicted], f"{probabilities[predicted]:.0%} sure", delta_color="off")
    if expected is None:
        st.info("These letters are not a run of the alphabet the model learned, so there is no right answer: "
                "see what it makes of them anyway.")
    elif expected == predicted:
        st.success(f"Right: after {' '.join(names[index] for index in picked)} comes {names[expected]}.")
    else:
        st.error(f"Wrong: after {' '.join(names[index] for index in picked)} comes {names[expected]}, "
                 f"not {names[predicted]}.")
    st.plotly_chart(probability_bars(probabilities, names, expected, predicted), width="stretch", key="next_letter")


def render_windows(dataset: Dataset, predictions: ExamplePredictions) -> None:
    """The model's answer for every window of the alphabet, the right ones ticked."""
    names = dataset.class_names
    st.caption(f"The model gets {int(predictions.right.sum())} of the {predictions.size} windows right.")
    st.dataframe(
        {"letters": [" ".join(names[int(value)] for value in window) for window in dataset.x_test],
         "next letter": [names[label] for label in predictions.labels],
         "model's answer": [names[answer] for answer in predictions.predicted],
         "confidence": predictions.confidence, "right": predictions.right},
        hide_index=True, height=35 * (predictions.size + 1) + 3,
        column_config={"confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent")},
    )


def render_review(run: TrainingRun, model: Any, dataset: Dataset) -> None:
    """Type a review: the chance the model gives it of being positive, with the words it does not know greyed."""
    text = st.text_area("Your review", value=SAMPLE_REVIEW, key=REVIEW_KEY, max_chars=5000)
    word_index = dataset.word_index or {}
    vocabulary = vocabulary_size(run.spec, word_index)
    try:
        review = encode_review(text, word_index, vocabulary, run.spec.input_shape[0])
    except ValueError as error:
        st.error(f"{error}")
        return
    probabilities = predict_one(model, run.spec, review.indices)
    positive = dataset.class_names.index("positive") if "positive" in dataset.class_names else 1
    st.metric("Chance the review is positive", f"{probabilities[positive]:.1%}")
    st.markdown(" ".join(word if known else f":gray[{word}]" for word, known in review.words))
    st.caption(f"{review.unknown_words} of {len(review.words)} words are outside the model's {vocabulary:,}-word "
               f"vocabulary (grey): it reads them all as one 'unknown word'. Only the last {run.spec.input_shape[0]} "
               "words are read.")
