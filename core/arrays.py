"""Turning a dataset's raw arrays into what a model built from a `ModelSpec` takes (NumPy only)."""

from __future__ import annotations

import math

import numpy as np

from core.datasets import Dataset
from core.specs import ModelSpec


def check_fits(spec: ModelSpec, dataset: Dataset) -> None:
    """Raise a ValueError that says how to fix it when the model cannot take the dataset's examples or labels."""
    if math.prod(dataset.input_shape) != math.prod(spec.input_shape):
        raise ValueError(
            f"the model takes inputs of shape {spec.input_shape}, but the {dataset.name} examples have shape "
            f"{dataset.input_shape}; pick a preset made for this dataset or change the model's input shape."
        )
    output_units = spec.layers[-1].settings.get("units") if spec.layers else None
    if output_units is not None and output_units != dataset.num_classes:
        raise ValueError(
            f"the last layer has {output_units} units but {dataset.name} has {dataset.num_classes} classes; "
            f"set the last Dense layer to {dataset.num_classes} units."
        )


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
