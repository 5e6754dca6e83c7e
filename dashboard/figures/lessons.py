"""The lessons' Plotly figures: three activations, gradient descent on one weight, a recurrent layer's state."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from core.learn.lesson_math import RnnStep, activation, descent_loss
from dashboard.figures.style import lay_out

ACTIVATIONS = ("relu", "sigmoid", "tanh")


def activations_figure(value: float) -> go.Figure:
    """ReLU, sigmoid and tanh from -6 to 6, with a dotted line at the learner's input (at the edge when beyond)."""
    inputs = np.linspace(-6, 6, 241)
    figure = go.Figure()
    for name in ACTIVATIONS:
        figure.add_scatter(x=inputs, y=activation(name, inputs), mode="lines", name=name)
    figure.add_vline(x=max(min(value, 6), -6), line_dash="dot")
    return lay_out(figure, height=320, title="Three activations", legend_below=True, xaxis_title="input",
                   yaxis_title="output")


def descent_figure(path: np.ndarray) -> go.Figure:
    """The loss (w − 3)² + 1 and the ball's steps down it; steps that flew off the chart are left out."""
    weights = np.linspace(-6, 12, 200)
    figure = go.Figure()
    figure.add_scatter(x=weights, y=descent_loss(weights), mode="lines", name="loss(w) = (w − 3)² + 1")
    shown = path[np.abs(path) < 1e3]
    figure.add_scatter(x=shown, y=descent_loss(shown), mode="lines+markers", name="the ball, step by step",
                       marker={"size": 9})
    return lay_out(figure, height=340, title="Gradient descent on one weight", legend_below=True, xaxis_title="w",
                   yaxis={"title": "loss", "range": [0, 90]}, xaxis={"range": [-6, 12]})


def rnn_states_figure(steps: Sequence[RnnStep]) -> go.Figure:
    """The recurrent state after each word, a row per unit, from -1 (blue) to 1 (red)."""
    states = np.array([step.state for step in steps])
    figure = go.Figure(go.Heatmap(z=states.T, x=[f"{index + 1} · {step.word}" for index, step in enumerate(steps)],
                                  colorscale="RdBu", zmid=0, zmin=-1, zmax=1))
    return lay_out(figure, height=260, title="The state after each word (one row per unit)",
                   xaxis={"type": "category"}, yaxis={"title": "unit"})
