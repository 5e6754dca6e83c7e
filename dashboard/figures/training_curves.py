"""Plotly figures of training: a run's live curves, several runs' curves overlaid, and a sweep's results."""

from __future__ import annotations

import functools
import json
import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from core.number_text import readable_number
from core.training.history import HistorySnapshot
from core.training.run import TrainingRun
from dashboard.figures.style import TRAIN_COLOR, VALIDATION_COLOR, class_color, lay_out

MAX_BATCH_POINTS = 400
"""Per-batch points drawn per curve at most. A long run's batches are bucketed and each bucket keeps its lowest and
highest batch (so the curve's spread and spikes stay true, and the smoothed curve is smoothed over every batch);
the last batch is always drawn. Redrawing 6,000 points twice a second was most of what watching cost the browser."""
SMOOTHING = 0.9
SMOOTHING_BLOCK = 64
"""Steps smoothed at once: weight**-63 is at most 761 for TensorBoard's default weight 0.6, and 1e3 for 0.9."""
TITLES = {"loss": "Loss", "accuracy": "Accuracy"}
MAX_EPOCH_MARKERS = 60
"""Beyond this many epochs the per-epoch curve is a plain line: a thousand markers only smear."""
LOG_LOSS_SPREAD = 100
"""A loss curve whose values spread over this factor or more (a loss that exploded) is drawn on a log axis: on a
linear one everything but the peak lies flat on zero, and Plotly labels the peak '20B'."""
X_HEADROOM = 1.02
"""The x axis ends this much past the last epoch, so that epoch's marker is drawn whole."""
LOSS_HEADROOM = 1.05
"""A linear loss axis runs from 0 to this much above the highest loss, which a falling loss leaves in place."""
MAX_LOSS_TICKS = 8
"""More decades than this are ticked every third one (1, 1000, 1 million, 1 billion), so labels never overlap."""


def smooth(values: Sequence[float], weight: float = SMOOTHING) -> np.ndarray:
    """Exponential moving average, as TensorBoard smooths noisy per-batch curves (NaN gaps are carried over).

    Computed in blocks of SMOOTHING_BLOCK steps with NumPy (within a block, the average is a weighted cumulative
    sum), since the Train page smooths every batch of a run twice a second; the plain loop is kept for NaN gaps.
    """
    array = np.asarray(values, dtype=float)
    if np.isnan(array).any():
        return _smooth_with_gaps(array, weight)
    smoothed = np.empty(len(array))
    average = array[0] if len(array) else math.nan
    carried = weight ** np.arange(1, SMOOTHING_BLOCK + 1)  # weight**(j + 1): what is left of the average before
    scaled = weight ** -np.arange(SMOOTHING_BLOCK)  # weight**-i, undone by weight**j after the cumulative sum
    for start in range(0, len(array), SMOOTHING_BLOCK):
        block = array[start:start + SMOOTHING_BLOCK]
        size = len(block)
        sums = np.cumsum(block * scaled[:size]) * carried[:size] / weight
        smoothed[start:start + size] = carried[:size] * average + (1 - weight) * sums
        average = smoothed[start + size - 1]
    return smoothed


def _smooth_with_gaps(values: np.ndarray, weight: float) -> np.ndarray:
    smoothed = np.empty(len(values))
    average = float("nan")
    for index, value in enumerate(values.tolist()):
        if math.isnan(average):
            average = value
        elif not math.isnan(value):
            average = weight * average + (1 - weight) * value
        smoothed[index] = average
    return smoothed


def drawn_batches(values: np.ndarray, max_points: int = MAX_BATCH_POINTS) -> np.ndarray:
    """The indexes of the batches a curve draws: all of them while there are at most `max_points`; else each of
    `(max_points - 1) // 2` equal buckets gives its lowest and highest batch, in step order. The last batch is
    always drawn."""
    count = len(values)
    if count <= max_points:
        return np.arange(count)
    buckets = (max_points - 1) // 2
    size = math.ceil(count / buckets)
    padded = np.full(buckets * size, np.nan)
    padded[:count] = values
    rows = padded.reshape(buckets, size)
    starts = np.arange(buckets) * size
    lowest = starts + np.argmin(np.where(np.isnan(rows), np.inf, rows), axis=1)
    highest = starts + np.argmax(np.where(np.isnan(rows), -np.inf, rows), axis=1)
    drawn = np.unique(np.concatenate([lowest, highest, [count - 1]]))
    return drawn[drawn < count]


def training_curve(snapshot: HistorySnapshot, metric: str) -> go.Figure:
    """One metric against epochs, as a Plotly figure (see `curve_data`)."""
    return go.Figure(curve_data(snapshot, metric), _validate=False)


def curve_data(snapshot: HistorySnapshot, metric: str) -> dict[str, object]:
    """One metric against epochs: per batch (raw and smoothed) and per epoch for training and validation data, as
    a Plotly figure's plain data and layout.

    Rebuilt twice a second while a run trains, so made of plain data (NumPy arrays, sent as Plotly's typed arrays)
    on a layout validated once (see `_curve_layout`): Plotly's checks of every property, and its copies of the
    figure, cost ten times what the figure's data does. `dashboard.live_feed` sends it to the live frames as it is.
    """
    batch_values = np.asarray(snapshot.batch_losses if metric == "loss" else snapshot.batch_accuracies, dtype=float)
    traces: list[dict[str, object]] = []
    if batch_values.size and snapshot.batches_per_epoch:
        drawn = drawn_batches(batch_values)
        steps = (drawn + 1) / snapshot.batches_per_epoch
        traces += [
            {"type": "scatter", "x": steps, "y": batch_values[drawn], "mode": "lines", "name": "per batch",
             "line": {"color": TRAIN_COLOR, "width": 1}, "opacity": 0.2},
            {"type": "scatter", "x": steps, "y": smooth(batch_values)[drawn], "mode": "lines",
             "name": "per batch (smoothed)",
             "line": {"color": TRAIN_COLOR, "width": 2.5}, "opacity": 0.6},
        ]
    epochs = [record.epoch for record in snapshot.epochs]
    mode = "lines+markers" if len(epochs) <= MAX_EPOCH_MARKERS else "lines"
    for name, key, color in (("train", metric, TRAIN_COLOR), ("validation", f"val_{metric}", VALIDATION_COLOR)):
        values = [getattr(record, key) for record in snapshot.epochs]
        if any(value is not None for value in values):
            traces.append({"type": "scatter", "x": epochs, "y": values, "mode": mode, "name": f"{name} (per epoch)",
                           "line": {"color": color, "width": 2}})
    if metric == "accuracy":
        axis: dict[str, object] = {"range": [0, 1.02], "tickformat": ".0%"}
    else:
        epoch_losses = [loss for record in snapshot.epochs for loss in (record.loss, record.val_loss)
                        if loss is not None]
        axis = loss_axis(np.concatenate([batch_values, np.asarray(epoch_losses, dtype=float)]))
    last_epoch = max(snapshot.total_epochs, len(epochs))
    return {"data": traces, "layout": _curve_layout(metric, json.dumps(axis), last_epoch)}


@functools.lru_cache(maxsize=64)
def _curve_layout(metric: str, y_axis: str, last_epoch: int) -> dict[str, object]:
    """The layout of a metric's curve with the y axis `y_axis` (JSON) and an x axis from 0 to `last_epoch` (the
    run's planned end, so a live curve grows across a still axis, and the browser redraws only the curve), checked
    by Plotly once: the traces are ours and fixed in form, so the figure built from them skips Plotly's checks
    (`tests/figures` validates both)."""
    x_axis = {"title": {"text": "epoch"}, **({"range": [0, X_HEADROOM * last_epoch]} if last_epoch else {})}
    figure = lay_out(go.Figure(), height=320, title=TITLES.get(metric, metric), legend_below=True, xaxis=x_axis,
                     uirevision=metric)
    figure.update_yaxes(json.loads(y_axis))
    return figure.to_dict()["layout"]


def loss_axis(losses: Sequence[float] | np.ndarray) -> dict[str, object]:
    """A y axis for losses: linear while they stay within a factor of `LOG_LOSS_SPREAD`, else log, ticked at powers
    of ten written as a learner reads them ('1000', '1 million', '1 billion')."""
    values = np.asarray(losses, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    if not positive.size:
        return {"type": "linear", "title": None, "exponentformat": "none", "separatethousands": True}
    lowest, highest = float(positive.min()), float(positive.max())
    if highest < LOG_LOSS_SPREAD * lowest:
        return {"type": "linear", "title": None, "exponentformat": "none", "separatethousands": True,
                "range": [0, LOSS_HEADROOM * highest]}  # From 0, still while the loss falls.
    decades = range(math.floor(math.log10(lowest)), math.ceil(math.log10(highest)) + 1)
    step = 1 if len(decades) <= MAX_LOSS_TICKS else 3 * math.ceil(len(decades) / (3 * MAX_LOSS_TICKS))
    ticks = [10.0**decade for decade in decades if decade % step == 0]
    return {"type": "log", "title": f"log scale: each line is {readable_number(10.0**step)}×", "tickmode": "array",
            "range": [decades[0], decades[-1]], "tickvals": ticks,
            "ticktext": [readable_number(tick) for tick in ticks]}


def compared_curves(runs: Sequence[TrainingRun], metric: str) -> go.Figure:
    """One metric per epoch for several runs on one chart: training solid, validation dotted, a colour per run."""
    figure = go.Figure()
    for index, run in enumerate(runs):
        color = class_color(index)
        epochs = run.history.snapshot().epochs
        for key, dash, suffix in ((metric, "solid", ""), (f"val_{metric}", "dot", " (validation)")):
            values = [getattr(record, key) for record in epochs]
            if any(value is not None for value in values):
                figure.add_scatter(x=[record.epoch for record in epochs], y=values, mode="lines",
                                   name=run.display_name + suffix, line={"color": color, "dash": dash, "width": 2})
    lay_out(figure, height=340, title=TITLES.get(metric, metric), legend_below=True, xaxis_title="epoch")
    if metric == "accuracy":
        figure.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return figure


def sweep_chart(runs: Sequence[TrainingRun]) -> go.Figure:
    """Final accuracy (validation where the runs kept some, else test) against the first swept setting, a line per
    value of the second; bars of seconds per epoch (one setting only); the best run starred."""
    settings = list(runs[0].sweep_values) if runs else []
    done = [run for run in runs if run.state.value == "finished" and run.history.snapshot().epochs]
    validated = bool(done) and all(run.history.snapshot().epochs[-1].val_accuracy is not None for run in done)
    score_name = "validation accuracy" if validated else "test accuracy"

    def score(run: TrainingRun) -> float | None:
        return run.history.snapshot().epochs[-1].val_accuracy if validated else run.test_accuracy

    figure = go.Figure()
    groups: dict[float | None, list[TrainingRun]] = {}
    for run in sorted(done, key=lambda run: [run.sweep_values[setting] for setting in settings]):
        groups.setdefault(run.sweep_values.get(settings[1]) if len(settings) > 1 else None, []).append(run)
    for index, (second, members) in enumerate(groups.items()):
        name = score_name if second is None else f"{settings[1]} = {second:g}"
        figure.add_scatter(x=[run.sweep_values[settings[0]] for run in members], y=[score(run) for run in members],
                           mode="lines+markers", name=name,
                           line={"color": class_color(index), "width": 2},
                           customdata=[run.history.snapshot().steady_epoch_seconds for run in members],
                           hovertemplate=f"{settings[0]} %{{x}}: %{{y:.1%}}, %{{customdata:.2f}} s per epoch"
                                         "<extra>%{fullData.name}</extra>")
    if len(settings) == 1:
        figure.add_bar(x=[run.sweep_values[settings[0]] for run in groups.get(None, [])],
                       y=[run.history.snapshot().steady_epoch_seconds for run in groups.get(None, [])],
                       name="seconds per epoch", yaxis="y2", marker_color="#cfd8e3", opacity=0.6)
    scored = [run for run in done if score(run) is not None]
    if scored:
        best = max(scored, key=score)
        label = ", ".join(f"{setting} {best.sweep_values[setting]:g}" for setting in settings)
        figure.add_scatter(x=[best.sweep_values[settings[0]]], y=[score(best)], mode="markers+text", name="best",
                           marker={"symbol": "star", "size": 18, "color": "#d62728"}, text=[f"best: {label}"],
                           textposition="top center")
    first = settings[0] if settings else ""
    lay_out(figure, height=380, title=f"Sweep over {' and '.join(settings)}", legend_below=True,
            xaxis={"title": first, "type": "log" if first == "learning_rate" else "linear"},
            yaxis={"title": score_name, "tickformat": ".0%"},
            yaxis2={"title": "seconds per epoch", "overlaying": "y", "side": "right", "showgrid": False})
    return figure
