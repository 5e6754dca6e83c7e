"""Plotly figures of what a model predicts and what happens inside it: the confusion matrix, the spiral's
decision regions, feature maps, dense activations and a saliency overlay."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.examples import add_points_by_class
from dashboard.figures.style import MARGIN, class_color, lay_out

MAX_FEATURE_MAPS = 32
"""A layer with more channels shows its first 32: enough to see what its filters pick out."""
FEATURE_MAP_COLUMNS = 8


def confusion_figure(matrix: np.ndarray, class_names: Sequence[str], selected: tuple[int, int] | None) -> go.Figure:
    """Counts by true class (rows) and predicted class (columns); a click on a cell selects it.

    Streamlit reports no selection for heatmap traces, so each cell also carries an invisible square marker
    of a scatter trace, which Streamlit's point selection does report.
    """
    names = [str(name) for name in class_names]
    size = len(names)
    rows, columns = np.indices(matrix.shape)
    diagonal = rows == columns
    off_diagonal = np.where(diagonal, 0, matrix)
    # Mistakes from white to red (log scale: a few stand out next to many), right answers a constant pale green.
    shade = np.log1p(off_diagonal) / max(np.log1p(off_diagonal.max()), 1e-9)
    shade = np.where(diagonal & (matrix > 0), -0.5, shade)
    figure = go.Figure(go.Heatmap(
        z=shade, x=names, y=names, zmin=-1, zmax=1, showscale=False, hoverinfo="skip", xgap=1, ygap=1,
        colorscale=[[0.0, "#2ca02c"], [0.5, "#ffffff"], [1.0, "#a50f15"]], text=matrix, texttemplate="%{text}",
    ))
    figure.add_scatter(
        x=[names[column] for column in columns.ravel()], y=[names[row] for row in rows.ravel()], mode="markers",
        marker={"symbol": "square", "size": max(12, 360 // size), "color": "rgba(0,0,0,0)"},
        text=[str(count) for count in matrix.ravel()],
        hovertemplate="true %{y}, predicted %{x}: %{text} examples<extra>click to see them</extra>",
        showlegend=False,
    )
    if selected is not None:
        figure.add_scatter(x=[names[selected[1]]], y=[names[selected[0]]], mode="markers", hoverinfo="skip",
                           marker={"symbol": "square-open", "size": max(12, 360 // size), "color": "#1f77b4",
                                   "line": {"width": 3}}, showlegend=False)
    figure.update_xaxes(title="predicted class", type="category", side="top")
    figure.update_yaxes(title="true class", type="category", autorange="reversed", scaleanchor="x")
    return lay_out(figure, height=460, margin=MARGIN | {"t": 60}, clickmode="event+select", dragmode=False)


def selected_cell(event: object, class_names: Sequence[str]) -> tuple[int, int] | None:
    """The (true, predicted) cell a click on `confusion_figure` chose, from `st.plotly_chart`'s selection event."""
    names = [str(name) for name in class_names]
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        true_name, predicted_name = str(point.get("y")), str(point.get("x"))
        if true_name in names and predicted_name in names:
            return names.index(true_name), names.index(predicted_name)
    return None


def regions_figure(grid_x: np.ndarray, grid_y: np.ndarray, predicted: np.ndarray, confidence: np.ndarray,
                   points: np.ndarray, labels: np.ndarray, class_names: Sequence[str], title: str) -> go.Figure:
    """Each class's region in its colour, paler where the model is unsure, with the data points on top.

    One heatmap carries both: a cell's value is its class plus how sure the model is (0 to just under 1), and the
    colour scale runs from white to the class's colour within each class's unit.
    """
    classes = len(class_names)
    sureness = np.clip((confidence - 1 / classes) / (1 - 1 / classes), 0.0, 0.999)
    colorscale = []
    for index in range(classes):
        colorscale += [[index / classes, "#ffffff"], [(index + 1) / classes, class_color(index)]]
    figure = go.Figure(go.Heatmap(
        x=grid_x, y=grid_y, z=predicted + sureness, zmin=0, zmax=classes, colorscale=colorscale, showscale=False,
        opacity=0.45, customdata=confidence,
        hovertemplate="(%{x:.2f}, %{y:.2f}): %{customdata:.0%} sure<extra></extra>",
    ))
    add_points_by_class(figure, points, labels, class_names, line={"width": 1, "color": "white"})
    figure.update_yaxes(scaleanchor="x", range=[float(grid_y[0]), float(grid_y[-1])], constrain="domain")
    figure.update_xaxes(range=[float(grid_x[0]), float(grid_x[-1])], constrain="domain")
    return lay_out(figure, height=460, title=title, legend_below=True, uirevision="regions")


def tiled_feature_maps(maps: np.ndarray, limit: int = MAX_FEATURE_MAPS,
                       columns: int = FEATURE_MAP_COLUMNS) -> np.ndarray:
    """A layer's (H, W, C) output as one image: the first `limit` channels in a grid, NaN lines between them.

    Each map is scaled to its own 0–1 range, so a weak filter's pattern shows as clearly as a strong one's.
    """
    channels = min(maps.shape[-1], limit)
    height, width = maps.shape[:2]
    rows = -(-channels // columns)
    used_columns = min(columns, channels)
    tiled = np.full((rows * (height + 1) - 1, used_columns * (width + 1) - 1), np.nan, dtype=np.float32)
    for channel in range(channels):
        single = maps[..., channel].astype(np.float32)
        span = float(single.max() - single.min())
        row, column = divmod(channel, columns)
        top, left = row * (height + 1), column * (width + 1)
        tiled[top:top + height, left:left + width] = (single - single.min()) / span if span > 0 else 0.0
    return tiled


def feature_maps_figure(maps: np.ndarray, title: str) -> go.Figure:
    """The tiled feature maps of one Conv2D or pooling layer, bright where a filter responds."""
    figure = go.Figure(go.Heatmap(z=tiled_feature_maps(maps), colorscale="Viridis", showscale=False,
                                  hoverinfo="skip"))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False, constrain="domain")
    shown = min(maps.shape[-1], MAX_FEATURE_MAPS)
    rows = -(-shown // FEATURE_MAP_COLUMNS)
    return lay_out(figure, height=60 + 70 * rows, title=title)


def activation_figure(values: np.ndarray, title: str, class_names: Sequence[str] | None = None) -> go.Figure:
    """A dense layer's outputs as bars, one per unit (the output layer's bars are named by class)."""
    labels = [str(name) for name in class_names] if class_names is not None else list(range(len(values)))
    figure = go.Figure(go.Bar(x=labels, y=values.tolist(), marker_color="#1f77b4"))
    return lay_out(figure, height=220, title=title,
                   xaxis={"type": "category", "showticklabels": class_names is not None or len(values) <= 32})


def saliency_figure(image: np.ndarray, saliency: np.ndarray, title: str) -> go.Figure:
    """The example with the saliency map laid over it: red where hiding the pixels lowers the answer's
    probability most."""
    figure = go.Figure()
    if image.ndim == 3 and image.shape[-1] == 3:
        figure.add_image(z=image)
    else:
        figure.add_heatmap(z=image.reshape(saliency.shape), colorscale="gray", showscale=False, hoverinfo="skip")
    figure.add_heatmap(z=saliency, colorscale=[[0, "rgba(255,0,0,0)"], [1, "rgba(255,0,0,0.75)"]], zmin=0, zmax=1,
                       showscale=False, hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>")
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False, constrain="domain")
    return lay_out(figure, height=320, title=title)
