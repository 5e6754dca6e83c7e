"""Predictions over a test set: filters, orders, the confusion matrix and per-class scores, on real models."""

import numpy as np
import pytest

from core.data.catalogue import load_dataset
from core.models.presets import get_preset
from core.models.spec import TrainingConfig
from core.predict.inference import (
    accuracy_on,
    class_probabilities,
    predict_all,
    predict_one,
)
from core.predict.predictions import ORDERS, predictions_for
from core.training.history import RunHistory
from core.training.train import train_model

NAMES = ("cat", "dog", "fox")
# Six examples, three classes: rows are probabilities, labels the truth.
PROBABILITIES = np.array([
    [0.9, 0.05, 0.05],  # cat, right, very sure
    [0.6, 0.3, 0.1],    # cat, right
    [0.2, 0.7, 0.1],    # a cat called dog: wrong
    [0.1, 0.8, 0.1],    # dog, right
    [0.5, 0.2, 0.3],    # a fox called cat: wrong
    [0.05, 0.05, 0.9],  # fox, right
])
LABELS = np.array([0, 0, 0, 1, 2, 2])


@pytest.fixture(scope="module")
def table():
    return predictions_for(PROBABILITIES, LABELS, NAMES)


def test_filters_and_orders_pick_the_right_examples(table):
    assert table.select().tolist() == [0, 1, 2, 3, 4, 5]
    assert table.select(true_class=0).tolist() == [0, 1, 2]
    assert table.select(predicted_class=0).tolist() == [0, 1, 4]
    assert table.select(outcome="wrong").tolist() == [2, 4]
    assert table.select(true_class=0, outcome="right", order=ORDERS[1]).tolist() == [0, 1]
    assert table.select(order=ORDERS[2]).tolist() == [4, 1, 2, 3, 0, 5], "ties keep test-set order"
    assert table.most_confident_mistakes(1).tolist() == [2]
    assert table.accuracy == pytest.approx(4 / 6)


def test_confusion_matrix_and_class_scores(table):
    np.testing.assert_array_equal(table.confusion_matrix(), [[2, 1, 0], [0, 1, 0], [1, 0, 1]])
    cat, dog, fox = table.class_scores()
    assert (cat.examples, cat.predicted) == (3, 3)
    assert cat.precision == pytest.approx(2 / 3) and cat.recall == pytest.approx(2 / 3)
    assert cat.accuracy == pytest.approx(1 - 2 / 6), "one cat missed and one fox called cat"
    assert dog.precision == pytest.approx(1 / 2) and dog.recall == 1.0
    assert fox.precision == 1.0 and fox.recall == pytest.approx(1 / 2)


def test_a_class_never_predicted_has_no_precision():
    table = predictions_for(np.array([[0.9, 0.1], [0.8, 0.2]]), np.array([0, 1]), ("no", "yes"))
    assert table.class_scores()[1].precision is None and table.class_scores()[1].recall == 0.0


@pytest.mark.parametrize("arguments, message", [
    ({"true_class": 3}, r"class 3 does not exist; classes are numbered 0 to 2"),
    ({"outcome": "maybe"}, r"unknown outcome 'maybe'; choose one of: all, right, wrong"),
    ({"order": "alphabetical"}, r"unknown order 'alphabetical'"),
])
def test_bad_filters_are_refused_with_a_message(table, arguments, message):
    with pytest.raises(ValueError, match=message):
        table.select(**arguments)


def test_mismatched_arrays_are_refused():
    with pytest.raises(ValueError, match=r"5 labels for 6 predictions"):
        predictions_for(PROBABILITIES, LABELS[:5], NAMES)
    with pytest.raises(ValueError, match=r"one probability per class \(2\)"):
        predictions_for(PROBABILITIES, LABELS, NAMES[:2])


def test_one_sigmoid_unit_becomes_two_class_probabilities():
    np.testing.assert_allclose(class_probabilities(np.array([[0.25], [0.9]])), [[0.75, 0.25], [0.1, 0.9]], rtol=1e-6)
    with pytest.raises(ValueError, match=r"one column per class"):
        class_probabilities(np.zeros(3))


def test_a_trained_model_predicts_the_same_one_at_a_time_and_all_at_once():
    """`predict_one` (a direct call, for drawings) agrees with the batched `predict_all` the pages reuse."""
    spec = get_preset("mnist-dense512").spec
    dataset = load_dataset("mnist")
    model = train_model(spec, TrainingConfig(epochs=1, batch_size=128), dataset, RunHistory()).model
    everything = predict_all(model, spec, dataset.x_test)
    assert everything.shape == (dataset.test_size, 10)
    for index in (0, 17, 999):
        np.testing.assert_allclose(predict_one(model, spec, dataset.x_test[index]), everything[index], atol=1e-5)
    table = predictions_for(everything, dataset.y_test, dataset.class_names)
    assert table.accuracy == pytest.approx(accuracy_on(model, spec, dataset.x_test, dataset.y_test))
    assert table.accuracy > 0.8, "one epoch on 4,000 real digits"
    assert table.confusion_matrix().sum() == dataset.test_size
    assert np.trace(table.confusion_matrix()) == int(table.right.sum())
