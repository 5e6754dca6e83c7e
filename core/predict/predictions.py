"""A model's predictions for a whole set of examples, and the questions a learner asks of them.

The probabilities are computed once per trained model (batched, see `core.predict.inference.predict_all`); after that
every filter, sort, confusion matrix and per-class score is NumPy over a few thousand rows, which is what
keeps browsing the test set quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

OUTCOMES = ("all", "right", "wrong")
ORDERS = ("test-set order", "most confident first", "least confident first")


@dataclass(frozen=True)
class ClassScores:
    """How the model does on one class; None where the class never occurs (or is never predicted)."""

    name: str
    examples: int
    predicted: int
    precision: float | None
    recall: float | None
    accuracy: float
    """One class against the rest: the share of all examples where "is it this class?" is answered right."""


@dataclass(frozen=True, eq=False)
class ExamplePredictions:
    """Class probabilities (one row per example) next to the true labels."""

    probabilities: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.probabilities.ndim != 2 or self.probabilities.shape[1] != len(self.class_names):
            raise ValueError(f"expected one probability per class ({len(self.class_names)}) for each example, got "
                             f"an array of shape {self.probabilities.shape}.")
        if len(self.labels) != len(self.probabilities):
            raise ValueError(f"{len(self.labels)} labels for {len(self.probabilities)} predictions: give one label "
                             f"per example.")

    @property
    def size(self) -> int:
        return len(self.labels)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @cached_property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @cached_property
    def confidence(self) -> np.ndarray:
        """The probability the model gives its own answer."""
        return self.probabilities.max(axis=1)

    @cached_property
    def right(self) -> np.ndarray:
        return self.predicted == self.labels

    @property
    def accuracy(self) -> float:
        return float(self.right.mean()) if self.size else 0.0

    def select(self, true_class: int | None = None, predicted_class: int | None = None, outcome: str = "all",
               order: str = ORDERS[0]) -> np.ndarray:
        """The indices of the examples that pass every filter, in the order asked for."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; choose one of: {', '.join(OUTCOMES)}.")
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}; choose one of: {', '.join(ORDERS)}.")
        keep = np.ones(self.size, dtype=bool)
        if true_class is not None:
            keep &= self.labels == self._checked_class(true_class)
        if predicted_class is not None:
            keep &= self.predicted == self._checked_class(predicted_class)
        if outcome != "all":
            keep &= self.right if outcome == "right" else ~self.right
        indices = np.flatnonzero(keep)
        if order == ORDERS[0]:
            return indices
        # A stable sort keeps test-set order among equally confident examples, so the list does not shuffle.
        ranked = np.argsort(self.confidence[indices], kind="stable")
        return indices[ranked[::-1] if order == ORDERS[1] else ranked]

    def most_confident_mistakes(self, limit: int) -> np.ndarray:
        """The wrong answers the model was surest of: the most instructive ones to look at."""
        return self.select(outcome="wrong", order=ORDERS[1])[:limit]

    def confusion_matrix(self) -> np.ndarray:
        """Counts with the true class down the rows and the predicted class across the columns."""
        matrix = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)
        np.add.at(matrix, (self.labels, self.predicted), 1)
        return matrix

    def class_scores(self) -> list[ClassScores]:
        matrix = self.confusion_matrix()
        scores = []
        for index, name in enumerate(self.class_names):
            hits, examples, predicted = int(matrix[index, index]), int(matrix[index].sum()), int(matrix[:, index].sum())
            wrong_either_way = examples + predicted - 2 * hits
            scores.append(ClassScores(
                name=name, examples=examples, predicted=predicted,
                precision=hits / predicted if predicted else None,
                recall=hits / examples if examples else None,
                accuracy=1.0 - wrong_either_way / self.size if self.size else 0.0,
            ))
        return scores

    def _checked_class(self, index: int) -> int:
        if not 0 <= index < self.num_classes:
            raise ValueError(f"class {index} does not exist; classes are numbered 0 to {self.num_classes - 1}.")
        return index


def predictions_for(probabilities: np.ndarray, labels: np.ndarray, class_names: Sequence[str]) -> ExamplePredictions:
    """Predictions as the pages use them, their arrays read-only (they are shared by every session)."""
    probabilities = np.array(probabilities, dtype=np.float32)
    labels = np.array(labels, dtype=np.int64)
    for array in (probabilities, labels):
        array.setflags(write=False)
    return ExamplePredictions(probabilities, labels, tuple(class_names))
