"""The datasets built into Keras Lab, each loaded as a read-only `Dataset`.

MNIST comes from `keras.datasets.mnist` when its file is cached or can be downloaded, and otherwise from
the sample of 5,000 real MNIST digits that ships in `core/data/`. Fashion-MNIST, CIFAR-10 and IMDB come from
`keras.datasets` only (see `core.data.keras_cache`). The spiral and the alphabet are generated. Loading never
imports TensorFlow unless a download is needed, so pages can show data without the framework's start-up cost.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from core.data.dataset import ALPHABET, OUTLINES, Dataset
from core.data.keras_cache import (
    KERAS_SOURCES,
    download_possible,
    keras_cache_directory,
    keras_files,
    read_cifar10,
    read_fashion_mnist,
    read_imdb,
    read_word_index,
)
from core.data.reviews import INDEX_FROM

MNIST_SAMPLE_PATH = Path(__file__).with_name("mnist_sample.npz")
MNIST_DOWNLOAD_HOST = KERAS_SOURCES["mnist"].host


def _shared_dataset(name: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], source: str,
                    class_names: tuple[str, ...] | None = None,
                    word_index: Mapping[str, int] | None = None) -> Dataset:
    """A classification dataset titled as its outline says, its arrays (and word index) read-only.

    Datasets are shared by every session of a server, so nobody may change them in place.
    """
    for array in (*train, *test):
        array.setflags(write=False)
    outline = OUTLINES[name]
    return Dataset(name=name, title=outline.title, task="classification", x_train=train[0], y_train=train[1],
                   x_test=test[0], y_test=test[1], class_names=class_names or outline.class_names, source=source,
                   word_index=None if word_index is None else MappingProxyType(word_index))


def _download_possible() -> bool:
    """A quick look (no download) at whether the MNIST host can be reached at all."""
    return download_possible(MNIST_DOWNLOAD_HOST)


def _mnist_from_keras(cached_file: Path) -> Dataset:
    """Full MNIST through `keras.datasets.mnist`: the cached file read directly, or a first download by Keras."""
    if cached_file.exists():
        with np.load(cached_file) as archive:
            x_train, y_train, x_test, y_test = (archive[key] for key in ("x_train", "y_train", "x_test", "y_test"))
        how = f"cached at {cached_file}"
    else:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        how = "downloaded now"
    return _mnist(x_train, y_train, x_test, y_test, f"keras.datasets.mnist, the full MNIST ({how})")


def _mnist_sample(reason: str) -> Dataset:
    with np.load(MNIST_SAMPLE_PATH) as archive:
        x_train, y_train, x_test, y_test = (archive[key] for key in ("x_train", "y_train", "x_test", "y_test"))
    total = len(x_train) + len(x_test)
    return _mnist(
        x_train, y_train, x_test, y_test, f"the {total:,} real MNIST digits shipped with Keras Lab ({reason})"
    )


def _mnist(x_train, y_train, x_test, y_test, source: str) -> Dataset:
    return _shared_dataset("mnist", (x_train, y_train), (x_test, y_test), source)


def load_mnist() -> Dataset:
    """The full MNIST when Keras has it or can fetch it; the shipped sample of real digits otherwise."""
    cached_file = keras_cache_directory() / "mnist.npz"
    if not cached_file.exists() and not _download_possible():
        return _mnist_sample("offline: keras.datasets.mnist is not cached and cannot be downloaded")
    try:
        return _mnist_from_keras(cached_file)
    except Exception as error:  # A failed or corrupt download must not stop a lesson: fall back and say why.
        return _mnist_sample(f"keras.datasets.mnist failed: {error}")


def load_fashion_mnist() -> Dataset:
    """Zalando's 70,000 28×28 grey photos of clothes in 10 classes: MNIST's shape, a harder task."""
    folder, how = keras_files("fashion_mnist")
    train, test = read_fashion_mnist(folder)
    return _shared_dataset("fashion_mnist", train, test, f"keras.datasets.fashion_mnist ({how})")


def load_cifar10() -> Dataset:
    """60,000 32×32 colour photos of 10 kinds of vehicles and animals."""
    folder, how = keras_files("cifar10")
    train, test = read_cifar10(folder)
    return _shared_dataset("cifar10", train, test, f"keras.datasets.cifar10 ({how})")


def load_imdb(num_words: int = 1000, length: int = 100) -> Dataset:
    """Movie reviews as word indices, as the SimpleRNN example reads them, with the word index to decode them.

    Only the `num_words` most frequent words keep their own index (the others become out of vocabulary), and
    each review is padded in front or cut to its last `length` indices.
    """
    if num_words <= INDEX_FROM or length < 1:
        raise ValueError(f"IMDB needs num_words above {INDEX_FROM} (indices 0-{INDEX_FROM - 1} are padding, start "
                         f"and out of vocabulary) and a length of at least 1, got {num_words} and {length}.")
    folder, how = keras_files("imdb")
    train, test = read_imdb(folder, num_words, length)
    return _shared_dataset(
        "imdb", train, test,
        f"keras.datasets.imdb, the {num_words:,} most frequent words, the last {length} of each review ({how})",
        word_index=read_word_index(folder))


def spiral_points(points_per_class: int, classes: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The classic spiral: each class is an arm of points at radius 0..1 whose angle is jittered by `noise`."""
    if points_per_class < 1 or classes < 2:
        raise ValueError(f"a spiral needs at least 1 point per class and 2 classes, got {points_per_class}, {classes}.")
    if noise < 0:
        raise ValueError(f"spiral noise must be 0 or more, got {noise}.")
    generator = np.random.default_rng(seed)
    points, labels = [], []
    for label in range(classes):
        radius = np.linspace(0.0, 1.0, points_per_class)
        angle = np.linspace(label * 4, (label + 1) * 4, points_per_class) + generator.normal(size=points_per_class) * noise
        points.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(points_per_class, label))
    order = generator.permutation(points_per_class * classes)  # Shuffled, so a validation split holds every class.
    return np.concatenate(points)[order].astype(np.float32), np.concatenate(labels)[order].astype(np.uint8)


def make_spiral(points_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0) -> Dataset:
    """A seeded spiral to train on, and an independent draw of the same spiral to test on."""
    x_train, y_train = spiral_points(points_per_class, classes, noise, seed)
    x_test, y_test = spiral_points(points_per_class, classes, noise, seed + 1)
    return _shared_dataset("spiral", (x_train, y_train), (x_test, y_test),
                           f"generated: {points_per_class} points per class, angle noise {noise}, seed {seed}",
                           class_names=tuple(f"arm {label}" for label in range(classes)))


def alphabet_windows(letters: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of `window` letter indices (A B C = 0 1 2), labelled with the index of the letter after it."""
    starts = range(letters - window)
    windows = np.array([[start + offset for offset in range(window)] for start in starts], dtype=np.uint8)
    next_letters = np.array([start + window for start in starts], dtype=np.uint8)
    return windows, next_letters


def make_alphabet(window: int = 3) -> Dataset:
    """The next-letter task: every run of `window` letters of the alphabet, labelled with the letter after it.

    Inputs are letter indices 0–25 (the preset scales them by 1/26). There are only 23 windows, so, as in the
    classic example, the model is tested on the same windows it learns: the task is memorising a sequence.
    """
    if not 1 <= window < len(ALPHABET):
        raise ValueError(f"a window must hold from 1 to {len(ALPHABET) - 1} letters, got {window}.")
    windows, next_letters = alphabet_windows(len(ALPHABET), window)
    return _shared_dataset("alphabet", (windows, next_letters), (windows.copy(), next_letters.copy()),
                           f"generated: the {len(windows)} windows of {window} letters, tested on the same windows")


LOADERS: dict[str, Callable[[], Dataset]] = {"mnist": load_mnist, "spiral": make_spiral, "alphabet": make_alphabet,
                                             "fashion_mnist": load_fashion_mnist, "cifar10": load_cifar10,
                                             "imdb": load_imdb}
"""Each built-in dataset's loader, called with its default settings."""
