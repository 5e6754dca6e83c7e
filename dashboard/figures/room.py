"""The room's chart: each learner's best finished run, test accuracy against parameters, so the small models that
do well stand out (up and to the left)."""

from __future__ import annotations

import html
from typing import Sequence

import plotly.graph_objects as go

from core.room.board import BoardRow
from dashboard.figures.style import TRAIN_COLOR, lay_out


def accuracy_against_parameters(rows: Sequence[BoardRow]) -> go.Figure:
    """One labelled point per learner with a finished run; parameters on a log axis (a softmax regression's 7,850
    beside a CNN's 1.2 million)."""
    scored = [row for row in rows if row.test_accuracy is not None and row.parameters]
    names = [html.escape(row.learner) for row in scored]  # Plotly reads tags in text: a name shows as typed.
    figure = go.Figure(go.Scatter(
        x=[row.parameters for row in scored], y=[row.test_accuracy * 100 for row in scored], mode="markers+text",
        text=names, textposition="top center", marker={"size": 12, "color": TRAIN_COLOR},
        customdata=[[html.escape(row.model), row.epochs] for row in scored],
        hovertemplate="%{text}<br>%{customdata[0]}, %{customdata[1]} epochs<br>%{x:,} parameters<br>"
                      "test accuracy %{y:.1f}%<extra></extra>"))
    return lay_out(figure, height=380, title="Test accuracy against parameters",
                   xaxis={"type": "log", "title": "parameters (log scale)"},
                   yaxis={"title": "test accuracy (%)", "ticksuffix": "%"})
