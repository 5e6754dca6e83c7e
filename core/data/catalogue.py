"""Datasets as one description (`Dataset`) that every page, the CLI and training share.

MNIST comes from `keras.datasets.mnist` when its file is cached or can be downloaded, and otherwise from
the sample of 5,000 real MNIST digits that ships in `core/data/`. Fashion-MNIST, CIFAR-10 and IMDB come from
`keras.datasets` only (see `core.data.keras_cache`). The spiral and the alphabet are generated. Loading never
imports TensorFlow unless a download is needed, so pages can show data without the framework's start-up cost.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from core.data.keras_cache import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    IMDB_CLASSES,
    KERAS_SOURCES,
    DatasetAvailability,
    download_possible,
    keras_availability,
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


@dataclass(frozen=True, eq=False)
class Dataset:
    """Arrays plus what a page needs to present them. Labels are integer class indices."""

    name: str
    title: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    word_index: Mapping[str, int] | None = None
    """Text datasets: each word's frequency rank (1 = most frequent), as `keras.datasets.imdb.get_word_index`."""

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def train_size(self) -> int:
        return len(self.x_train)

    @property
    def test_size(self) -> int:
        return len(self.x_test)

    @property
    def is_image(self) -> bool:
        return len(self.input_shape) >= 2

    def summary(self) -> str:
        """One line for a sidebar or a log: what it is, how many examples, where they came from."""
        return f"{self.title}: {self.train_size:,} train / {self.test_size:,} test · {self.source}"


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


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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


@dataclass(frozen=True)
class DatasetOutline:
    """What the builder needs to know of a dataset without loading it: one example's shape and the classes."""

    name: str
    title: str
    example_shape: tuple[int, ...]
    class_names: tuple[str, ...]
    available: bool = True

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


OUTLINES: dict[str, DatasetOutline] = {
    outline.name: outline
    for outline in (
        DatasetOutline("mnist", "MNIST handwritten digits", (28, 28), tuple(str(digit) for digit in range(10))),
        DatasetOutline("spiral", "Spiral arms", (2,), tuple(f"arm {label}" for label in range(3))),
        DatasetOutline("alphabet", "Alphabet: the next letter", (3,), tuple(ALPHABET)),
        DatasetOutline("fashion_mnist", "Fashion-MNIST clothes", (28, 28), FASHION_MNIST_CLASSES),
        DatasetOutline("cifar10", "CIFAR-10 small colour photos", (32, 32, 3), CIFAR10_CLASSES),
        DatasetOutline("imdb", "IMDB movie reviews (1,000-word vocabulary, 100 words each)", (100,), IMDB_CLASSES),
        DatasetOutline("catsdogs", "Cats vs dogs photos (128×128 colour)", (128, 128, 3), ("cat", "dog"),
                       available=False),
    )
}


def dataset_outline(name: str) -> DatasetOutline:
    if name not in OUTLINES:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(OUTLINES)}.")
    return OUTLINES[name]


LOADERS: dict[str, Callable[[], Dataset]] = {"mnist": load_mnist, "spiral": make_spiral, "alphabet": make_alphabet,
                                             "fashion_mnist": load_fashion_mnist, "cifar10": load_cifar10,
                                             "imdb": load_imdb}

_loaded: dict[str, Dataset] = {}
_locks = {name: threading.Lock() for name in LOADERS}
_uploads_lock = threading.Lock()
"""One lock per dataset: a slow first download of MNIST does not hold up the spiral."""


UPLOADED_PREFIX = "upload-"
UPLOADED_NAME = re.compile(rf"{UPLOADED_PREFIX}[0-9a-f]{{12}}")
"""Names of datasets visitors uploaded (see `core.data.store`), loaded from the data directory. Names arrive
from URLs and run records: only this shape may name a file."""


def is_dataset_name(name: str) -> bool:
    """Whether `name` can name a trainable dataset: a built-in one, or the shape of an uploaded one's name."""
    return name in LOADERS or bool(UPLOADED_NAME.fullmatch(name))


def load_dataset(name: str) -> Dataset:
    """The dataset called `name` with its default settings, loaded once per process and shared after that."""
    if name.startswith(UPLOADED_PREFIX):
        return _uploaded_dataset(name)
    if name not in LOADERS:
        if name in OUTLINES:
            raise ValueError(f"the {OUTLINES[name].title} dataset is not built into Keras Lab: upload yours on the "
                             f"Data page (or give the CLI --data PATH). Built in: {', '.join(LOADERS)}.")
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(LOADERS)}.")
    with _locks[name]:
        if name not in _loaded:
            _loaded[name] = LOADERS[name]()
        return _loaded[name]


def _uploaded_dataset(name: str) -> Dataset:
    from core.data.store import (
        DatasetStore,  # It builds on this module: imported when first needed.
    )

    with _uploads_lock:
        if name not in _loaded:
            _loaded[name] = DatasetStore().load(name)
        return _loaded[name]


def loaded_dataset(name: str) -> Dataset | None:
    """The dataset if this process has loaded it already, without loading it (for status lines)."""
    return _loaded.get(name)


def dataset_availability(name: str) -> DatasetAvailability:
    """Whether the dataset can load here and from where, without loading or downloading anything."""
    outline = dataset_outline(name)
    if name in ("spiral", "alphabet"):
        return DatasetAvailability(name, "built in", "generated by Keras Lab")
    if name not in KERAS_SOURCES:
        return DatasetAvailability(name, "upload", f"no built-in copy of the {outline.title}: upload it")
    availability = keras_availability(name)
    if name == "mnist" and availability.status == "unreachable":
        return DatasetAvailability(name, "shipped sample",
                                   f"the 5,000 real MNIST digits shipped with Keras Lab; for the full MNIST, "
                                   f"{KERAS_SOURCES[name].how_to_copy()}", availability.size_mb, MNIST_SAMPLE_PATH)
    return availability
