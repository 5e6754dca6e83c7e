"""The room's chart: each learner's best finished run, test accuracy against parameters, so the small models that
do well stand out (up and to the left)."""

from __future__ import annotations

import html
from typing import Sequence

import plotly.graph_objects as go

from core.room.board import BoardRow
from dashboard.figures.style import TRAIN_COLOR, lay_out


def _points(rows: Sequence[BoardRow]) -> dict[tuple[int, float], list[BoardRow]]:
    """Learners whose best runs landed on the same spot (the same preset, trained alike), as one point."""
    points: dict[tuple[int, float], list[BoardRow]] = {}
    for row in rows:
        if row.test_accuracy is not None and row.parameters:
            points.setdefault((row.parameters, round(row.test_accuracy * 100, 1)), []).append(row)
    return points


def accuracy_against_parameters(rows: Sequence[BoardRow]) -> go.Figure:
    """One labelled point per learner with a finished run (learners on one spot share it); parameters on a log axis
    (a softmax regression's 7,850 beside a CNN's 1.2 million)."""
    points = _points(rows)
    # Plotly reads tags in its text: escaped, a name shows as typed.
    names = [", ".join(html.escape(row.learner) for row in same) for same in points.values()]
    models = [", ".join(sorted({html.escape(row.model) for row in same})) for same in points.values()]
    figure = go.Figure(go.Scatter(
        x=[parameters for parameters, _ in points], y=[accuracy for _, accuracy in points], mode="markers+text",
        text=names, textposition="top center", customdata=models, marker={"size": 12, "color": TRAIN_COLOR},
        hovertemplate="%{text}<br>%{customdata}<br>%{x:,} parameters<br>test accuracy %{y:.1f}%<extra></extra>"))
    return lay_out(figure, height=380, title="Test accuracy against parameters",
                   xaxis={"type": "log", "title": "parameters (log scale)"},
                   yaxis={"title": "test accuracy (%)", "ticksuffix": "%"})
