"""Looking inside real models: layer activations, occlusion saliency on real digits, the spiral's decision regions."""

import gc
import weakref
from dataclasses import replace

import keras
import numpy as np
import pytest

from core.data.catalogue import load_dataset
from core.models.build import build_model
from core.models.inputs import prepare_inputs
from core.models.presets import get_preset
from core.models.spec import LayerSpec, TrainingConfig
from core.predict.introspection import (
    activation_probe,
    layer_activations,
    occlusion_saliency,
)
from core.predict.regions import decision_regions
from core.training.callbacks import DecisionRegionsCallback
from core.training.history import RunHistory
from core.training.train import train_model

CNN = get_preset("mnist-cnn-2conv").spec
MLP = get_preset("mnist-dense512").spec
SPIRAL = get_preset("spiral-dense10").spec
SPIRAL_FAST = replace(SPIRAL, compile=replace(SPIRAL.compile, learning_rate=0.01))

CNN_LAYERS = [
    ("Conv2D", (24, 24, 32)),
    ("Conv2D", (20, 20, 64)),
    ("MaxPooling2D", (10, 10, 64)),
    ("Flatten", (6400,)),
    ("Dense", (128,)),
    ("Dense", (10,)),
]


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist")


@pytest.fixture(scope="module")
def cnn(mnist):
    """Untrained: the shapes and the agreement with `predict` do not depend on the weights."""
    return build_model(CNN, mnist.input_shape, mnist.num_classes)


@pytest.fixture(scope="module")
def trained_mlp(mnist):
    return train_model(MLP, TrainingConfig(epochs=2, batch_size=128), mnist, RunHistory()).model


@pytest.fixture(scope="module")
def spiral():
    return load_dataset("spiral")


@pytest.fixture(scope="module")
def trained_spiral_model(spiral):
    return train_model(SPIRAL_FAST, TrainingConfig(epochs=150, batch_size=50), spiral, RunHistory()).model


def check_cnn_activations(model, example):
    activations = layer_activations(model, CNN, example)
    assert [(activation.layer_class, activation.output.shape) for activation in activations] == CNN_LAYERS
    assert [activation.is_feature_map for activation in activations] == [True, True, True, False, False, False]
    assert [activation.is_vector for activation in activations] == [False, False, False, True, True, True]
    assert len({activation.layer_name for activation in activations}) == len(CNN_LAYERS)
    predicted = model.predict(prepare_inputs(CNN, example[np.newaxis]), verbose=0)[0]
    np.testing.assert_allclose(activations[-1].output, predicted, rtol=1e-5, atol=1e-6)
    return activations


def test_activations_have_each_layers_shape_and_end_in_the_prediction(cnn, mnist):
    check_cnn_activations(cnn, mnist.x_test[0])
    probe = activation_probe(cnn)
    check_cnn_activations(cnn, mnist.x_test[1])
    assert activation_probe(cnn) is probe, "one probe per model, built once and reused"


def test_activations_of_a_model_loaded_from_a_keras_file(cnn, mnist, tmp_path):
    cnn.save(tmp_path / "cnn.keras")
    loaded = keras.saving.load_model(tmp_path / "cnn.keras", compile=False)
    assert loaded.inputs and cnn.inputs, "both a built and a loaded Sequential model know their input"
    from_file = check_cnn_activations(loaded, mnist.x_test[2])
    built = layer_activations(cnn, CNN, mnist.x_test[2])
    for original, reloaded in zip(built, from_file):
        np.testing.assert_allclose(reloaded.output, original.output, rtol=1e-5, atol=1e-6)
    assert activation_probe(loaded) is not activation_probe(cnn)


def test_the_probe_cache_does_not_keep_a_dropped_model_alive(mnist):
    model = build_model(MLP, mnist.input_shape, mnist.num_classes)
    layer_activations(model, MLP, mnist.x_test[0])
    dropped = weakref.ref(model)
    del model
    gc.collect()
    assert dropped() is None


def test_activations_refuse_an_example_of_another_shape(cnn, mnist):
    with pytest.raises(ValueError, match=r"takes 784 values per example.*not a batch"):
        layer_activations(cnn, CNN, mnist.x_test[:2])


def dilated(mask: np.ndarray, pixels: int) -> np.ndarray:
    """The mask grown by `pixels` in every direction (a square structuring element)."""
    grown = mask.copy()
    for _ in range(pixels):
        padded = np.pad(grown, 1)
        grown = np.logical_or.reduce([padded[1 + dy:padded.shape[0] - 1 + dy, 1 + dx:padded.shape[1] - 1 + dx]
                                      for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    return grown


def test_occlusion_saliency_points_at_the_digit(trained_mlp, mnist):
    for digit, label in zip(mnist.x_test[:5], mnist.y_test[:5]):
        saliency = occlusion_saliency(trained_mlp, MLP, digit, int(label))
        assert saliency.shape == (28, 28) and saliency.dtype == np.float32
        assert saliency.min() >= 0.0 and saliency.max() == pytest.approx(1.0)
        ink = digit > 64
        near_ink, far_from_ink = dilated(ink, 1), ~dilated(ink, 3)
        assert saliency[near_ink].mean() > 3 * saliency[far_from_ink].mean(), f"digit {label}"
        assert saliency[dilated(ink, 2)].sum() > 0.6 * saliency.sum(), f"digit {label}: most of it on the digit"


def test_occlusion_of_an_empty_image_is_all_zeros(trained_mlp):
    """Hiding parts of a black image with black changes nothing, so nothing matters."""
    saliency = occlusion_saliency(trained_mlp, MLP, np.zeros((28, 28), np.uint8), 0)
    assert saliency.shape == (28, 28) and not saliency.any()


def test_occlusion_refuses_what_is_not_an_image(trained_mlp, trained_spiral_model, spiral, mnist):
    with pytest.raises(ValueError, match=r"needs one image.*shape \(2,\)"):
        occlusion_saliency(trained_spiral_model, SPIRAL_FAST, spiral.x_test[0], 0)
    with pytest.raises(ValueError, match="class index 10 is out of range"):
        occlusion_saliency(trained_mlp, MLP, mnist.x_test[0], 10)
    with pytest.raises(ValueError, match="patch must be a whole number of pixels from 1 to 28"):
        occlusion_saliency(trained_mlp, MLP, mnist.x_test[0], 0, patch=29)


def test_occlusion_reads_one_sigmoid_unit_as_two_classes(mnist):
    """A binary model with one sigmoid unit p: class 1 is p, class 0 is 1 - p, and there is no class 2."""
    binary = replace(MLP, layers=(*MLP.layers[:-1], LayerSpec.of("Dense", units=1, activation="sigmoid")),
                     compile=replace(MLP.compile, loss="binary_crossentropy"))
    model = build_model(binary, mnist.input_shape)
    for class_index in (0, 1):
        saliency = occlusion_saliency(model, binary, mnist.x_test[0], class_index)
        assert saliency.shape == (28, 28) and 0.0 <= saliency.min() and saliency.max() <= 1.0
    with pytest.raises(ValueError, match="the model has 2 classes"):
        occlusion_saliency(model, binary, mnist.x_test[0], 2)


def test_decision_regions_agree_with_the_model_at_the_test_points(trained_spiral_model, spiral):
    regions = decision_regions(trained_spiral_model, SPIRAL_FAST, spiral.x_train, resolution=80)
    assert regions.xs.shape == regions.ys.shape == (80,)
    assert regions.probabilities.shape == (80, 80, 3) and regions.predicted.shape == (80, 80)
    assert regions.epoch is None
    np.testing.assert_allclose(regions.probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert regions.xs[0] < spiral.x_train[:, 0].min() and regions.ys[-1] > spiral.x_train[:, 1].max()

    points = spiral.x_test
    columns = np.abs(points[:, :1] - regions.xs).argmin(axis=1)
    rows = np.abs(points[:, 1:] - regions.ys).argmin(axis=1)
    predicted = trained_spiral_model.predict(prepare_inputs(SPIRAL_FAST, points), verbose=0).argmax(axis=1)
    assert np.mean(regions.predicted[rows, columns] == predicted) > 0.9
    assert len(np.unique(regions.predicted)) == 3, "a trained model gives each arm a region"


def test_decision_regions_refuse_what_is_not_a_2d_point(trained_spiral_model, trained_mlp, spiral, mnist):
    with pytest.raises(ValueError, match=r"models that take 2-D points.*\(784,\)"):
        decision_regions(trained_mlp, MLP, mnist.x_test[:10])
    with pytest.raises(ValueError, match=r"array of shape \(n, 2\), got \(300,\)"):
        decision_regions(trained_spiral_model, SPIRAL_FAST, spiral.x_train[:, 0])
    with pytest.raises(ValueError, match="resolution"):
        decision_regions(trained_spiral_model, SPIRAL_FAST, spiral.x_train, resolution=1)


def test_the_callback_reports_regions_during_fit_and_at_the_end(spiral):
    model = build_model(SPIRAL, spiral.input_shape, spiral.num_classes)
    reports = []
    callback = DecisionRegionsCallback(SPIRAL, spiral.x_train, reports.append, every_epochs=5)
    labels = np.eye(3, dtype=np.float32)[spiral.y_train]
    model.fit(prepare_inputs(SPIRAL, spiral.x_train), labels, epochs=12, batch_size=100, verbose=0,
              callbacks=[callback])
    assert [regions.epoch for regions in reports] == [1, 5, 10, 12]
    assert all(regions.probabilities.shape == (80, 80, 3) for regions in reports)
    assert not np.array_equal(reports[0].probabilities, reports[-1].probabilities), "the regions follow training"

    reports.clear()
    model.fit(prepare_inputs(SPIRAL, spiral.x_train), labels, initial_epoch=12, epochs=15, batch_size=100,
              verbose=0, callbacks=[callback])
    assert [regions.epoch for regions in reports] == [15], "a continued run counts on from where it stopped"


def test_the_callback_refuses_a_bad_interval(spiral):
    with pytest.raises(ValueError, match="every_epochs"):
        DecisionRegionsCallback(SPIRAL, spiral.x_train, print, every_epochs=0)
