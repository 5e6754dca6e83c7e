"""The Train page's curves: readable however far the loss went, and a long run's batches drawn within a budget."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.training.history import EpochRecord, HistorySnapshot
from dashboard.figures.training_curves import MAX_BATCH_POINTS, SMOOTHING, drawn_batches, smooth, training_curve


def snapshot(batch_losses: list[float], epoch_loss: float) -> HistorySnapshot:
    return HistorySnapshot(batch_losses=tuple(batch_losses), batch_accuracies=(0.1,) * len(batch_losses),
                           epochs=(EpochRecord(epoch=1, loss=epoch_loss, accuracy=0.1, seconds=1.0),),
                           total_epochs=3, batches_per_epoch=len(batch_losses), current_epoch=1,
                           batches_in_epoch=len(batch_losses), elapsed_seconds=1.0)


def test_an_exploded_loss_is_drawn_on_a_log_axis_ticked_in_words():
    # The numbers of SGD at a learning rate of 1000 on MNIST; a linear axis labelled them "20B" and "0.5×10¹⁶".
    figure = training_curve(snapshot([2.37, 204_551.4, 5.2e10, float("nan")], 1.77e15), "loss")
    axis = figure.layout.yaxis
    assert axis.type == "log"
    assert list(axis.ticktext) == ["1", "1000", "1 million", "1 billion", "1 trillion", "1×10¹⁵"]
    assert axis.title.text == "log scale: each line is 1000×"


def test_a_loss_over_a_few_decades_is_ticked_at_each():
    axis = training_curve(snapshot([2.37, 24.3, 1081.9], 2662.8), "loss").layout.yaxis
    assert list(axis.ticktext) == ["1", "10", "100", "1000", "10,000"]


def test_an_ordinary_loss_keeps_a_linear_axis():
    axis = training_curve(snapshot([2.3, 1.9, 1.2, 0.6], 1.5), "loss").layout.yaxis
    assert axis.type == "linear" and axis.exponentformat == "none"


def test_a_long_run_draws_its_extremes_and_its_last_batch_within_the_point_budget():
    rng = np.random.default_rng(0)
    losses = 2.0 * np.exp(-np.arange(6000) / 2000) + rng.normal(0, 0.05, 6000)
    losses[1234] = 9.0  # A spike the bucketing must keep.
    drawn = drawn_batches(losses)
    assert len(drawn) <= MAX_BATCH_POINTS and drawn[-1] == 5999 and 1234 in drawn
    assert list(drawn) == sorted(set(drawn)), "in step order, each batch once"
    figure = training_curve(snapshot(losses.tolist(), 0.5), "loss")
    raw, smoothed = figure.data[0], figure.data[1]
    assert len(raw.x) == len(drawn) and raw.y[-1] == losses[-1] and raw.x[-1] == 1.0
    assert smoothed.y[-1] == pytest.approx(smooth(losses)[-1]), "smoothed over every batch, not only the drawn ones"
    assert len(training_curve(snapshot(losses[:300].tolist(), 0.5), "loss").data[0].x) == 300, "a short run: all"


def test_the_blockwise_smoothing_is_the_moving_average_and_carries_nan_gaps():
    values = np.random.default_rng(1).random(1000)
    expected, average = [], values[0]
    for value in values:
        average = SMOOTHING * average + (1 - SMOOTHING) * value
        expected.append(average)
    assert smooth(values) == pytest.approx(expected, rel=1e-9)
    assert list(smooth([1.0, float("nan"), 3.0])) == pytest.approx([1.0, 1.0, 1.2])


def test_the_figure_built_without_plotlys_checks_passes_them():
    figure = training_curve(snapshot([2.3, 1.9, 1.2, 0.6], 1.5), "accuracy")
    go.Figure(figure.to_dict())  # Raises for any property Plotly does not know.
    assert figure.layout.yaxis.tickformat == ".0%" and figure.layout.title.text == "Accuracy"


def test_a_live_curve_grows_across_still_axes_from_zero_to_the_planned_end():
    # Still axes let the browser redraw only the curve; a loss axis from 0 shows how far the loss fell.
    figure = training_curve(snapshot([2.3, 1.9, 1.2, 0.6], 1.5), "loss")
    assert list(figure.layout.xaxis.range) == [0, pytest.approx(3.06)], "2% beyond the run's 3 planned epochs"
    assert list(figure.layout.yaxis.range) == [0, pytest.approx(1.05 * 2.3)]
    exploded = training_curve(snapshot([2.37, 24.3, 1081.9], 2662.8), "loss").layout.yaxis
    assert list(exploded.range) == [0, 4], "a log axis spans whole decades, 1 to 10,000"
