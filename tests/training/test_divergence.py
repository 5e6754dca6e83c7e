"""When a run has diverged: the rule on its numbers, then real Keras on the shipped data in both directions, a
learning rate far too high is stopped with advice and the presets' healthy runs never are."""

from dataclasses import replace

import pytest

from core.data.catalogue import load_dataset
from core.models.presets import get_preset
from core.training.divergence import EXPLODED_FACTOR, divergence
from core.training.failures import TrainingFailed
from core.training.history import RunHistory
from core.training.train import train_model


@pytest.mark.parametrize("loss, start, accuracy, classes, words", [
    (float("nan"), 2.3, None, 10, "the loss became nan"),
    (float("inf"), None, None, 10, "the loss became inf"),
    (2.3 * EXPLODED_FACTOR * 1.01, 2.3, None, 10, "the loss grew from 2.3 to 23.2, more than 10 times its starting"),
    (2.1e10, 2.37, 0.82, 10, "the loss grew from 2.37 to 21 billion"),
    (6.3, 2.3, 0.104, 10, "while the accuracy stayed at guessing level (10.4% with 10 classes)"),
])
def test_a_loss_that_explodes_or_grows_at_guessing_level_has_diverged(loss, start, accuracy, classes, words):
    assert words in divergence(loss, start, accuracy, classes)


@pytest.mark.parametrize("loss, start, accuracy, classes", [
    (0.01, 2.3, 0.99, 10),  # Learned.
    (2.4, 2.3, None, 10),  # A little above the start early on: noise.
    (2.35, 2.3, 0.1, 10),  # At guessing level but not growing: not learning (yet), which is no divergence.
    (6.3, 2.3, 0.5, 10),  # Growing, but learning: over-confident, not diverged.
    (1e9, None, None, 10),  # No start known yet: only NaN and infinity count.
    (5.0, 0.0, 0.1, 10),  # A start of zero compares with nothing.
])
def test_healthy_or_undecided_numbers_are_not_divergence(loss, start, accuracy, classes):
    assert divergence(loss, start, accuracy, classes) is None


MNIST = get_preset("mnist-dense512")


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop"])
def test_a_learning_rate_of_1000_on_mnist_is_stopped_with_advice(optimizer):
    # Before: RMSprop "finished" at 46% test accuracy with a test loss of 4.8 million, SGD at 10% with 2.3 billion.
    spec = replace(MNIST.spec, compile=replace(MNIST.spec.compile, optimizer=optimizer, learning_rate=1000.0))
    history = RunHistory()
    with pytest.raises(TrainingFailed) as failure:
        train_model(spec, replace(MNIST.training, epochs=3), load_dataset("mnist"), history)
    message = str(failure.value)
    assert message.startswith("in epoch 1 the loss grew from 2.37 to ") and "training diverged" in message
    assert "The learning rate (1000) is too high" in message and "Try one ten times smaller (100)" in message
    assert history.snapshot().steps_done < history.snapshot().batches_per_epoch, "stopped within its first epoch"


def test_a_loss_that_grows_while_the_spiral_is_guessed_is_divergence_too():
    spiral = get_preset("spiral-dense10")
    spec = replace(spiral.spec, compile=replace(spiral.spec.compile, optimizer="sgd", learning_rate=10.0))
    guessing = r"while the accuracy stayed at guessing level \(\d+\.\d% with 3 classes\)"
    with pytest.raises(TrainingFailed, match=guessing):
        train_model(spec, replace(spiral.training, epochs=30), load_dataset("spiral"), RunHistory())


@pytest.mark.parametrize("name, epochs", [
    ("mnist-dense512", None),  # All 5 epochs.
    ("spiral-dense10", 150),  # Its first 150 of 1000 epochs: the part where it sits at chance, then learns.
    ("alphabet-lstm32", 60),  # Its first 60 of 500: the LSTM guesses for about 40 epochs before it learns.
])
def test_the_presets_train_without_being_called_diverged(name, epochs):
    preset = get_preset(name)
    config = preset.training if epochs is None else replace(preset.training, epochs=epochs)
    result = train_model(preset.spec, config, load_dataset(preset.dataset_name), RunHistory())
    assert result.test_accuracy > 1 / load_dataset(preset.dataset_name).num_classes
