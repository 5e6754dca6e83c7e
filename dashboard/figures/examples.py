"""Figures of examples: one image or a dataset's points, how many examples each class has, and how sure a model is
of each class for one example."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go

from core.data.dataset import Dataset
from dashboard.figures.style import (
    MARGIN,
    NO_MARGIN,
    TRAIN_COLOR,
    VALIDATION_COLOR,
    class_color,
    lay_out,
)

THUMBNAIL_PIXELS = 84


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A small image enlarged with square pixels, so a 28×28 digit is crisp rather than blurred by the browser."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    factor = max(1, THUMBNAIL_PIXELS // max(image.shape[:2]))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def probability_bars(probabilities: np.ndarray, class_names: Sequence[str], true_index: int | None,
                     predicted_index: int) -> go.Figure:
    """How sure the model is of each class: the true class in green, a wrong guess in red, the rest grey.

    Without a true label (a drawing, an upload) the model's answer is blue.
    """
    colors = ["#9aa5b1"] * len(class_names)
    if true_index is None:
        colors[predicted_index] = TRAIN_COLOR
        title = "Probability per class"
    else:
        colors[predicted_index] = "#d62728"
        colors[true_index] = "#2ca02c"
        title = "Probability per class (true class green, a wrong guess red)"
    figure = go.Figure(go.Bar(x=list(class_names), y=probabilities.tolist(), marker_color=colors,
                              text=[f"{p:.1%}" for p in probabilities], textposition="outside"))
    return lay_out(figure, height=320, title=title, yaxis={"range": [0, 1.15], "tickformat": ".0%"},
                   xaxis={"type": "category"})


def image_figure(image: np.ndarray) -> go.Figure:
    """An image at its true pixels (hover shows each value), square and without axes; grey or colour."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 3:
        figure = go.Figure(go.Image(z=image, hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>"))
    else:
        figure = go.Figure(go.Heatmap(z=image.reshape(image.shape[:2]), colorscale="gray", showscale=False,
                                      hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>"))
        figure.update_yaxes(autorange="reversed")
    figure.update_yaxes(scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False)
    return lay_out(figure, height=300, margin=NO_MARGIN)


def add_points_by_class(figure: go.Figure, points: np.ndarray, labels: np.ndarray, class_names: Sequence[str],
                        **marker: Any) -> None:
    """2-D points as dots, one trace and one colour per class; `marker` adds to (or overrides) their size of 6."""
    for index, name in enumerate(class_names):
        members = labels == index
        figure.add_scatter(x=points[members, 0], y=points[members, 1], mode="markers", name=str(name),
                           marker={"size": 6, "color": class_color(index), **marker})


def point_figure(points: np.ndarray, labels: np.ndarray, class_names: Sequence[str], chosen: int) -> go.Figure:
    """2-D examples coloured by class, with the chosen one ringed."""
    figure = go.Figure()
    add_points_by_class(figure, points, labels, class_names, opacity=0.6)
    figure.add_scatter(x=[points[chosen, 0]], y=[points[chosen, 1]], mode="markers", name="this example",
                       marker={"size": 16, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": "black"}})
    figure.update_yaxes(scaleanchor="x")
    return lay_out(figure, height=380, legend_below=True, margin=MARGIN | {"t": 10})


def training_points_figure(dataset: Dataset) -> go.Figure:
    """A dataset of 2-D examples: its training points, coloured by class."""
    figure = go.Figure()
    add_points_by_class(figure, dataset.x_train, dataset.y_train, dataset.class_names)
    figure.update_yaxes(scaleanchor="x")
    return lay_out(figure, height=420, title="The training points", legend_below=True)


def class_balance_figure(dataset: Dataset) -> go.Figure:
    """How many training and test examples each class has: a lopsided dataset shows at a glance."""
    names = [str(name) for name in dataset.class_names]
    figure = go.Figure()
    for part, labels, color in (("train", dataset.y_train, TRAIN_COLOR), ("test", dataset.y_test, VALIDATION_COLOR)):
        counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(names))
        figure.add_bar(x=names, y=counts, name=part, marker_color=color)
    return lay_out(figure, height=300, title="Examples per class", legend_below=True, barmode="group",
                   xaxis={"type": "category"})
