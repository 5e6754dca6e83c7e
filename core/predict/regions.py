"""The spiral's decision regions as TensorFlow Playground draws them: the class a model picks at every place.

A grid of points over the data (plus a margin) goes through the model in one direct call, so the regions can
be redrawn every few epochs while training runs. Nothing here draws: a page turns `DecisionRegions` into a
heat map, and `core.training.callbacks.DecisionRegionsCallback` hands fresh regions to whoever listens. Keras is
imported only to call a model, so the server can hold regions that a worker computed without importing it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.models.inputs import prepare_inputs
from core.models.layers import is_whole_number
from core.models.spec import ModelSpec
from core.predict.inference import class_probabilities

if TYPE_CHECKING:
    import keras

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
class RegionGrid:
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
    return regions_over(model, region_grid(spec, points, resolution, margin), epoch)


def region_grid(spec: ModelSpec, points: np.ndarray, resolution: int = DEFAULT_RESOLUTION,
                margin: float = 0.1) -> RegionGrid:
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
    return RegionGrid(xs=xs, ys=ys, inputs=prepare_inputs(spec, places))


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


def regions_over(model: keras.Model, grid: RegionGrid, epoch: int | None) -> DecisionRegions:
    """One direct model call over every place of the grid; `predict` would cost more than the model does here."""
    import keras

    output = keras.ops.convert_to_numpy(model(grid.inputs, training=False))
    probabilities = class_probabilities(output).reshape(len(grid.ys), len(grid.xs), -1)
    return DecisionRegions(xs=grid.xs, ys=grid.ys, probabilities=probabilities,
                           predicted=probabilities.argmax(axis=-1), epoch=epoch)


def regions_to_dict(regions: DecisionRegions) -> dict[str, Any]:
    """JSON-ready regions, for a worker to send the server (the probabilities rounded to what a heat map shows)."""
    return {"xs": regions.xs.tolist(), "ys": regions.ys.tolist(),
            "probabilities": np.round(regions.probabilities, 3).tolist(), "epoch": regions.epoch}


def regions_from_dict(data: dict[str, Any]) -> DecisionRegions:
    probabilities = np.asarray(data["probabilities"], dtype=np.float32)
    return DecisionRegions(xs=np.asarray(data["xs"], dtype=np.float32), ys=np.asarray(data["ys"], dtype=np.float32),
                           probabilities=probabilities, predicted=probabilities.argmax(axis=-1), epoch=data["epoch"])
