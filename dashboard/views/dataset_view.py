"""The Data page's views of one dataset: its numbers, its class balance, and examples of every class."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data.dataset import Dataset
from core.data.keras_cache import decode_review
from dashboard.figures.examples import (
    class_balance_figure,
    thumbnail,
    training_points_figure,
)

SAMPLES_PER_CLASS = 8
MAX_CLASSES_SHOWN = 12
REVIEWS_SHOWN = 5


def show_numbers(dataset: Dataset) -> None:
    train, test, shape, values = st.columns(4)
    train.metric("Training examples", f"{dataset.train_size:,}")
    test.metric("Test examples", f"{dataset.test_size:,}")
    shape.metric("One example", "×".join(str(size) for size in dataset.input_shape))
    values.metric("Values", f"{dataset.x_train.min():g} to {dataset.x_train.max():g}",
                  help=f"{dataset.x_train.dtype}; each preset scales its inputs as its model expects.")
    st.caption(f"**Source** · {dataset.source} · {dataset.num_classes} classes, task: {dataset.task}")


def show_image_samples(dataset: Dataset) -> None:
    """A row of training images per class, so a learner sees what each label looks like."""
    for index, name in enumerate(dataset.class_names[:MAX_CLASSES_SHOWN]):
        members = np.flatnonzero(dataset.y_train == index)[:SAMPLES_PER_CLASS]
        label, *columns = st.columns([1] + [1] * SAMPLES_PER_CLASS, vertical_alignment="center")
        label.markdown(f"**{name}**")
        for column, member in zip(columns, members):
            column.image(thumbnail(dataset.x_train[member]), width="stretch")
    if dataset.num_classes > MAX_CLASSES_SHOWN:
        st.caption(f"The first {MAX_CLASSES_SHOWN} of {dataset.num_classes} classes.")


def show_sequences(dataset: Dataset) -> None:
    """Sequences of class indices (the alphabet's windows) as letters, with what follows each."""
    names = dataset.class_names
    st.dataframe({"input": [" ".join(names[int(value)] for value in window) for window in dataset.x_train],
                  "next": [names[int(label)] for label in dataset.y_train]}, hide_index=True)


def show_reviews(dataset: Dataset) -> None:
    """The first reviews decoded back to words, with their labels."""
    for index in range(min(REVIEWS_SHOWN, dataset.train_size)):
        st.markdown(f"**{dataset.class_names[int(dataset.y_train[index])]}** · "
                    f"{decode_review(dataset.x_train[index], dataset.word_index)}")


def show_dataset(dataset: Dataset, key: str) -> None:
    """Everything the Data page shows about one dataset (`key` tells its charts apart from another's)."""
    show_numbers(dataset)
    st.plotly_chart(class_balance_figure(dataset), width="stretch", key=f"{key}_balance")
    if dataset.is_image:
        st.subheader("Examples of every class")
        show_image_samples(dataset)
    elif dataset.input_shape == (2,):
        st.plotly_chart(training_points_figure(dataset), width="stretch", key=f"{key}_points")
    elif dataset.word_index is not None:
        st.subheader("Reviews, decoded back to words")
        show_reviews(dataset)
    else:
        st.subheader("Every window")
        show_sequences(dataset)
