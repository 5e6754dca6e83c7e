"""The Train page's loss curve: readable however far the loss went."""

from core.training.history import EpochRecord, HistorySnapshot
from dashboard.figures.training_curves import training_curve


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
