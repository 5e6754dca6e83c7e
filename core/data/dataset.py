"""Datasets as one description (`Dataset`) that every page, the CLI and training share, and what is known of each
dataset before it loads (`DatasetOutline`): its title, one example's shape and its class names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from core.data.keras_cache import CIFAR10_CLASSES, FASHION_MNIST_CLASSES, IMDB_CLASSES

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

UPLOADED_PREFIX = "upload-"
UPLOADED_NAME = re.compile(rf"{UPLOADED_PREFIX}[0-9a-f]{{12}}")
"""Names of datasets visitors uploaded (see `core.data.store`), loaded from the data directory. Names arrive
from URLs and run records: only this shape may name a file."""


def is_image_shape(example_shape: tuple[int, ...]) -> bool:
    """Whether examples of this shape are images: (height, width) or (height, width, 1) grey, (height, width, 3)
    colour."""
    shape = tuple(example_shape)
    return len(shape) == 2 or len(shape) == 3 and shape[2] in (1, 3)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Arrays plus what a page needs to present them. Labels are integer class indices."""

    name: str
    title: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    word_index: Mapping[str, int] | None = None
    """Text datasets: each word's frequency rank (1 = most frequent), as `keras.datasets.imdb.get_word_index`."""

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def train_size(self) -> int:
        return len(self.x_train)

    @property
    def test_size(self) -> int:
        return len(self.x_test)

    @property
    def is_image(self) -> bool:
        return is_image_shape(self.input_shape)

    def summary(self) -> str:
        """One line for a sidebar or a log: what it is, how many examples, where they came from."""
        return f"{self.title}: {self.train_size:,} train / {self.test_size:,} test · {self.source}"


@dataclass(frozen=True)
class DatasetOutline:
    """What the builder needs to know of a dataset without loading it: one example's shape and the classes."""

    name: str
    title: str
    example_shape: tuple[int, ...]
    class_names: tuple[str, ...]
    available: bool = True

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


OUTLINES: dict[str, DatasetOutline] = {
    outline.name: outline
    for outline in (
        DatasetOutline("mnist", "MNIST handwritten digits", (28, 28), tuple(str(digit) for digit in range(10))),
        DatasetOutline("spiral", "Spiral arms", (2,), tuple(f"arm {label}" for label in range(3))),
        DatasetOutline("alphabet", "Alphabet: the next letter", (3,), tuple(ALPHABET)),
        DatasetOutline("fashion_mnist", "Fashion-MNIST clothes", (28, 28), FASHION_MNIST_CLASSES),
        DatasetOutline("cifar10", "CIFAR-10 small colour photos", (32, 32, 3), CIFAR10_CLASSES),
        DatasetOutline("imdb", "IMDB movie reviews (1,000-word vocabulary, 100 words each)", (100,), IMDB_CLASSES),
        DatasetOutline("catsdogs", "Cats vs dogs photos (128×128 colour)", (128, 128, 3), ("cat", "dog"),
                       available=False),
    )
}


def dataset_outline(name: str) -> DatasetOutline:
    if name not in OUTLINES:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(OUTLINES)}.")
    return OUTLINES[name]
