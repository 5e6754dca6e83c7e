"""The spiral's decision regions as TensorFlow Playground draws them: the class a model picks at every place.

A grid of points over the data (plus a margin) goes through the model in one direct call, so the regions can
be redrawn every few epochs while training runs. Nothing here draws: a page turns `DecisionRegions` into a
heat map, and `DecisionRegionsCallback` hands fresh regions to whoever listens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np

from core.models.inputs import prepare_inputs
from core.models.layers import is_whole_number
from core.models.spec import ModelSpec
from core.predict.inference import class_probabilities

DEFAULT_RESOLUTION = 80
"""Grid cells along each axis: 6,400 points, smooth enough to see the spiral's curves and one small model call."""


@dataclass(frozen=True, eq=False)
class DecisionRegions:
    """What the model says over a grid. Row i, column j is the place (xs[j], ys[i]), as in an image.

    `epoch` is the number of epochs trained when the regions were computed, None when no training is running.
    """

    xs: np.ndarray
    ys: np.ndarray
    probabilities: np.ndarray
    predicted: np.ndarray
    epoch: int | None = None


@dataclass(frozen=True, eq=False)
class _Grid:
    """The grid's axes and its points prepared for the model, computed once and reused by the callback."""

    xs: np.ndarray
    ys: np.ndarray
    inputs: np.ndarray


def decision_regions(model: keras.Model, spec: ModelSpec, points: np.ndarray, resolution: int = DEFAULT_RESOLUTION,
                     margin: float = 0.1, epoch: int | None = None) -> DecisionRegions:
    """The model's class probabilities and choice over a square grid of `resolution` × `resolution` places.

    The grid covers the points' bounding box widened on every side by `margin` times its width and height, so
    the regions reach a little past the data as the Playground's do.
    """
    return _regions(model, _grid(spec, points, resolution, margin), epoch)


def _grid(spec: ModelSpec, points: np.ndarray, resolution: int, margin: float) -> _Grid:
    _check_points(spec, points)
    if not is_whole_number(resolution) or resolution < 2:
        raise ValueError(f"the grid's resolution is a whole number of cells along each axis, at least 2 "
                         f"(80 is usual), got {resolution!r}.")
    if not (isinstance(margin, (int, float)) and margin >= 0):
        raise ValueError(f"the margin is a fraction of the data's width and height, 0 or more (0.1 is usual), "
                         f"got {margin!r}.")
    low, high = points.min(axis=0).astype(np.float64), points.max(axis=0).astype(np.float64)
    span = np.where(high > low, high - low, 1.0)  # All points on one line: still a grid of some size.
    low, high = low - margin * span, high + margin * span
    xs = np.linspace(low[0], high[0], resolution, dtype=np.float32)
    ys = np.linspace(low[1], high[1], resolution, dtype=np.float32)
    places = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return _Grid(xs=xs, ys=ys, inputs=prepare_inputs(spec, places))


def _check_points(spec: ModelSpec, points: np.ndarray) -> None:
    """A ValueError unless the model takes 2-D points and `points` are some finite ones, shaped (n, 2)."""
    if math.prod(spec.input_shape) != 2:
        raise ValueError(f"decision regions are drawn for models that take 2-D points such as the spiral's; this "
                         f"model takes inputs of shape {spec.input_shape}.")
    if not isinstance(points, np.ndarray) or points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"decision regions need the data's 2-D points as an array of shape (n, 2), got "
                         f"{getattr(points, 'shape', type(points).__name__)}.")
    if not np.isfinite(points).all():
        raise ValueError("some points are not finite numbers (NaN or infinity); the grid could not cover them.")


def _regions(model: keras.Model, grid: _Grid, epoch: int | None) -> DecisionRegions:
    """One direct model call over every place of the grid; `predict` would cost more than the model does here."""
    output = keras.ops.convert_to_numpy(model(grid.inputs, training=False))
    probabilities = class_probabilities(output).reshape(len(grid.ys), len(grid.xs), -1)
    return DecisionRegions(xs=grid.xs, ys=grid.ys, probabilities=probabilities,
                           predicted=probabilities.argmax(axis=-1), epoch=epoch)


class DecisionRegionsCallback(keras.callbacks.Callback):
    """Hands fresh decision regions to `listener` during training, so a page can redraw them as the model learns.

    It reports after epoch 1, after every epoch that is a multiple of `every_epochs` (5, 10, 15, ... by default)
    and when training ends, unless the last epoch was just reported. Epochs are counted as Keras counts them,
    so a run continued with `initial_epoch` goes on from where it stopped. The grid is computed once; each report
    costs one model call. The listener is called on the training thread and must not touch the UI itself.
    """

    def __init__(self, spec: ModelSpec, points: np.ndarray, listener: Callable[[DecisionRegions], None],
                 every_epochs: int = 5, resolution: int = DEFAULT_RESOLUTION, margin: float = 0.1) -> None:
        super().__init__()
        if not is_whole_number(every_epochs) or every_epochs < 1:
            raise ValueError(f"every_epochs is how many epochs pass between two reports, a whole number of at least "
                             f"1, got {every_epochs!r}.")
        self._grid = _grid(spec, points, resolution, margin)
        self._listener = listener
        self._every_epochs = every_epochs
        self._epochs_done: int | None = None
        self._epoch_reported: int | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._epochs_done = epoch + 1  # Keras counts epochs from 0.
        if self._epochs_done == 1 or self._epochs_done % self._every_epochs == 0:
            self._report()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._epochs_done is not None and self._epoch_reported != self._epochs_done:
            self._report()

    def _report(self) -> None:
        self._epoch_reported = self._epochs_done
        self._listener(_regions(self.model, self._grid, self._epochs_done))
