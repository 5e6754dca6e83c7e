"""The look every Plotly figure shares: its colours, its margins and where its legend goes."""

from __future__ import annotations

from typing import Any, Mapping

import plotly.graph_objects as go

TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#ff7f0e"
CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                "#17becf")
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
"""Room for a title above and little elsewhere: Streamlit already pads every chart."""
NO_MARGIN = {"l": 0, "r": 0, "t": 0, "b": 0}


def class_color(index: int) -> str:
    """The colour of class (or run, or result) number `index`, the same on every chart."""
    return CLASS_COLORS[index % len(CLASS_COLORS)]


def lay_out(figure: go.Figure, *, height: int, title: str | None = None, legend_below: bool = False,
            margin: Mapping[str, int] = MARGIN, **layout: Any) -> go.Figure:
    """Give `figure` its height, its title, the shared margins and, with `legend_below`, a horizontal legend at the
    bottom of the figure, where it never covers a curve; `layout` is the rest of its layout.

    Backgrounds and fonts are left to Streamlit's chart theme, which makes them follow the light or the dark theme.
    """
    if title is not None:
        layout["title"] = title
    if legend_below:
        # Placed in the figure's own frame (yref "container"), so Plotly makes room for it under the x axis's title;
        # placed under the plot area instead, it runs into that title when the type is large (the presenter view).
        layout["legend"] = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"}
    figure.update_layout(height=height, margin=dict(margin), **layout)
    return figure
