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
