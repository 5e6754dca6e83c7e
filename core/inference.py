"""What a trained model says about individual examples."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.arrays import prepare_inputs
from core.specs import ModelSpec


def predict_probabilities(model: Any, spec: ModelSpec, examples: np.ndarray) -> np.ndarray:
    """Class probabilities, one row per raw example, prepared exactly as in training.

    Meant for a handful of examples at a time (the one on screen), never the whole test set per rerun.
    """
    return np.asarray(model.predict_on_batch(prepare_inputs(spec, examples)))


def accuracy_on(model: Any, spec: ModelSpec, examples: np.ndarray, labels: np.ndarray) -> float:
    """The share of examples whose most probable class is the label (one sigmoid output: above one half)."""
    probabilities = np.asarray(model.predict(prepare_inputs(spec, examples), batch_size=256, verbose=0))
    predicted = probabilities.argmax(axis=1) if probabilities.shape[1] > 1 else (probabilities[:, 0] > 0.5)
    return float(np.mean(predicted == labels))
