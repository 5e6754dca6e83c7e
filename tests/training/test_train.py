import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from core.data.catalogue import load_dataset
from core.models.presets import get_preset
from core.models.spec import CompileSpec, LayerSpec, TrainingConfig
from core.predict.inference import predict_all
from core.training.failures import TrainingFailed
from core.training.history import RunHistory
from core.training.train import train_model

SPIRAL = get_preset("spiral-dense10")


def test_training_records_every_batch_and_epoch():
    history = RunHistory()
    config = TrainingConfig(epochs=3, batch_size=50, validation_split=0.2)
    result = train_model(SPIRAL.spec, config, load_dataset("spiral"), history)
    snapshot = history.snapshot()
    # 300 points, 60 held back for validation: 240 / 50 = 5 batches per epoch.
    assert snapshot.batches_per_epoch == 5
    assert snapshot.steps_done == 15 and snapshot.fraction_done == 1.0
    assert [record.epoch for record in snapshot.epochs] == [1, 2, 3]
    assert all(record.seconds > 0 and record.val_loss is not None for record in snapshot.epochs)
    assert all(0.0 <= value <= 1.0 for value in snapshot.batch_accuracies)
    assert 0.0 <= result.test_accuracy <= 1.0 and math.isfinite(result.test_loss)
    assert not result.stopped_early


def test_a_stop_request_ends_training_within_the_epoch_in_progress():
    stop = threading.Event()
    stop.set()
    history = RunHistory()
    result = train_model(SPIRAL.spec, TrainingConfig(epochs=50, batch_size=50), load_dataset("spiral"), history, stop)
    assert result.stopped_early
    assert history.snapshot().epochs == (), "the epoch in progress ends half done, so it is not a whole epoch"
    assert 1 <= history.snapshot().steps_done < 6, "the 300 spiral points make 6 batches of 50; no new epoch starts"


def test_the_spiral_is_learned_and_predictions_are_probabilities():
    dataset = load_dataset("spiral")
    faster = replace(SPIRAL.spec, compile=replace(SPIRAL.spec.compile, learning_rate=0.01))
    result = train_model(faster, TrainingConfig(epochs=150, batch_size=50), dataset, RunHistory())
    assert result.test_accuracy > 0.6, "well above the 1/3 of guessing"
    probabilities = predict_all(result.model, faster, dataset.x_test[:4])
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_a_diverging_loss_fails_with_advice():
    exploding = replace(SPIRAL.spec, compile=CompileSpec(optimizer="sgd", learning_rate=1e30))
    advice = r"the loss became nan: training diverged\. The learning rate \(1×10³⁰\) is too high for SGD"
    with pytest.raises(TrainingFailed, match=advice):
        train_model(exploding, TrainingConfig(epochs=5, batch_size=50), load_dataset("spiral"), RunHistory())


def test_a_validation_split_that_leaves_nothing_to_train_on_is_refused():
    with pytest.raises(ValueError, match="choose a split that keeps some of each"):
        train_model(SPIRAL.spec, TrainingConfig(epochs=1, batch_size=50, validation_split=0.999),
                    load_dataset("spiral"), RunHistory())


@pytest.mark.parametrize(
    "change, message",
    [
        ({"input_shape": (784,)}, r"The input shape \(784,\) holds 784 values, but each example of the dataset has "
                                  r"shape \(2,\)"),
        ({"layers": (LayerSpec("Dense", {"units": 10, "activation": "softmax"}),)}, "set it to 3 units"),
        ({"layers": (LayerSpec("Conv3D", {}), LayerSpec("Dense", {"units": 3}))}, "'Conv3D'"),
    ],
)
def test_a_spec_that_cannot_train_is_refused_with_a_fix(change, message):
    with pytest.raises(ValueError, match=message):
        train_model(replace(SPIRAL.spec, **change), TrainingConfig(epochs=1, batch_size=50), load_dataset("spiral"),
                    RunHistory())
