import numpy as np
import pytest

from core.data import catalogue as datasets
from core.data.builtin import load_mnist, make_spiral
from core.data.catalogue import load_dataset


def test_offline_mnist_is_the_shipped_sample_of_real_digits():
    mnist = load_mnist()
    assert (mnist.train_size, mnist.test_size) == (4000, 1000)
    assert mnist.x_train.shape[1:] == (28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_train.max() == 255 and mnist.x_train.min() == 0
    # The split is stratified: every digit has the same share of the test set.
    assert np.bincount(mnist.y_test, minlength=10).tolist() == [100] * 10
    assert "shipped with Keras Lab" in mnist.source and "offline" in mnist.source
    assert mnist.class_names == tuple("0123456789")


def test_mnist_comes_from_the_keras_cache_when_it_is_there(tmp_path, monkeypatch):
    cache = tmp_path / "datasets"
    cache.mkdir()
    images = np.zeros((12, 28, 28), np.uint8)
    np.savez(cache / "mnist.npz", x_train=images, y_train=np.arange(12) % 10, x_test=images[:6], y_test=np.arange(6))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    mnist = load_mnist()
    assert (mnist.train_size, mnist.test_size) == (12, 6)
    assert mnist.source.startswith("keras.datasets.mnist") and str(cache / "mnist.npz") in mnist.source


def test_datasets_are_read_only_because_every_session_shares_them():
    spiral = make_spiral()
    with pytest.raises(ValueError):
        spiral.x_train[0, 0] = 5.0


def test_spiral_is_the_classic_three_arm_spiral():
    spiral = make_spiral()
    assert spiral.x_train.shape == (300, 2) and spiral.x_test.shape == (300, 2)
    assert np.bincount(spiral.y_train).tolist() == [100, 100, 100]
    radius = np.linalg.norm(spiral.x_train, axis=1)
    assert radius.min() == pytest.approx(0.0, abs=1e-6) and radius.max() == pytest.approx(1.0, abs=1e-6)
    assert not np.array_equal(spiral.x_train, spiral.x_test), "the test set is an independent draw"


def test_spiral_parameters_and_seed():
    first, again, other = make_spiral(seed=3), make_spiral(seed=3), make_spiral(seed=4)
    assert np.array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.x_train, other.x_train)
    five = make_spiral(points_per_class=20, classes=5, noise=0.0)
    assert five.x_train.shape == (100, 2) and five.num_classes == 5


@pytest.mark.parametrize(
    "arguments, message",
    [({"points_per_class": 0}, "at least 1 point"), ({"classes": 1}, "2 classes"), ({"noise": -1}, "noise")],
)
def test_spiral_refuses_impossible_settings(arguments, message):
    with pytest.raises(ValueError, match=message):
        make_spiral(**arguments)


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(ValueError, match="choose one of: mnist, spiral"):
        load_dataset("cifar")


def test_datasets_load_once_per_process():
    assert load_dataset("spiral") is load_dataset("spiral")
    assert datasets.loaded_dataset("spiral") is load_dataset("spiral")
