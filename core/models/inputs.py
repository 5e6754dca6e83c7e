"""Turning a dataset's raw arrays into what a model built from a `ModelSpec` takes (NumPy only)."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from core.data.dataset import Dataset
from core.data.reviews import INDEX_FROM
from core.models.analysis import check_spec
from core.models.spec import ModelSpec


def check_fits(spec: ModelSpec, dataset: Dataset) -> None:
    """Raise a ValueError that says how to fix it when the model cannot train on the dataset's examples or labels."""
    check_spec(spec, dataset.input_shape, dataset.num_classes)


def split_sizes(examples: int, validation_split: float) -> tuple[int, int]:
    """How many examples Keras trains and validates on for a `validation_split` (its own rounding)."""
    fitted = math.floor(examples * (1.0 - validation_split))
    if validation_split and not 0 < fitted < examples:
        raise ValueError(
            f"a validation split of {validation_split} leaves {fitted} of {examples} examples for training and "
            f"{examples - fitted} for validation; choose a split that keeps some of each (0.1 or 0.2 are usual)."
        )
    return fitted, examples - fitted


def prepare_inputs(spec: ModelSpec, inputs: np.ndarray) -> np.ndarray:
    """Reshape raw examples (checked by `check_fits`) to the spec's input shape, 28×28 → 784 say, scaled, float32."""
    prepared = inputs.reshape((len(inputs), *spec.input_shape)).astype(np.float32)
    if spec.input_scale != 1.0:
        prepared *= np.float32(spec.input_scale)
    return prepared


def prepare_labels(spec: ModelSpec, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """One-hot labels for categorical cross-entropy, the integer class indices for every other loss."""
    if spec.uses_one_hot_labels:
        return np.eye(num_classes, dtype=np.float32)[labels]
    return labels.astype(np.int32)


def vocabulary_size(spec: ModelSpec, word_index: Mapping[str, int]) -> int:
    """How many word indices the model reads: its Embedding's `input_dim`, else every word the index holds."""
    for layer in spec.layers:
        if layer.type == "Embedding":
            return int(layer.settings["input_dim"])
    return len(word_index) + INDEX_FROM
