"""What a trained model says about examples: one at a time (a drawing, an upload) or a whole test set at once."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.models.inputs import prepare_inputs
from core.models.spec import ModelSpec

PREDICTION_BATCH_SIZE = 512


def class_probabilities(outputs: Any) -> np.ndarray:
    """One column per class: a single sigmoid unit (the chance of class 1) becomes the pair (1 - p, p)."""
    outputs = np.asarray(outputs, dtype=np.float32)
    if outputs.ndim != 2:
        raise ValueError(f"a classifier's output has one row per example and one column per class; got shape "
                         f"{outputs.shape}. End the model with a Dense layer of one unit per class.")
    if outputs.shape[1] == 1:
        return np.concatenate([1.0 - outputs, outputs], axis=1)
    return outputs


def predict_one(model: Any, spec: ModelSpec, example: np.ndarray) -> np.ndarray:
    """The class probabilities of one raw example.

    The model is called directly: `model.predict` sets up a whole prediction loop, which costs far more than
    the arithmetic of one example, and a drawing is predicted after every stroke.
    """
    import keras  # Loaded already where there is a model; imported here so that pages importing this stay light.

    outputs = model(prepare_inputs(spec, example[np.newaxis]), training=False)
    return class_probabilities(keras.ops.convert_to_numpy(outputs))[0]


def predict_all(model: Any, spec: ModelSpec, examples: np.ndarray) -> np.ndarray:
    """Class probabilities for a whole set of raw examples, in batches, once per model and set."""
    outputs = model.predict(prepare_inputs(spec, examples), batch_size=PREDICTION_BATCH_SIZE, verbose=0)
    return class_probabilities(outputs)


def accuracy_on(model: Any, spec: ModelSpec, examples: np.ndarray, labels: np.ndarray) -> float:
    """The share of examples whose most probable class is the label (one sigmoid output: above one half)."""
    return float(np.mean(predict_all(model, spec, examples).argmax(axis=1) == labels))
