"""The `keras.datasets` files: where Keras caches each dataset, reading that cache, and fetching it.

A cached dataset is read straight from `keras_cache_directory()` with numpy, in the format Keras 3 writes it,
so showing data never waits for TensorFlow to start. Only a missing file makes Keras download it, and only when
its host can be reached; otherwise the error says how many MB it needs and where to copy the files by hand.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import socket
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from core.data.reviews import INDEX_FROM, OUT_OF_VOCABULARY, PADDING, START
from core.settings import OFFLINE_VARIABLE, is_offline

KERAS_FILES_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
IMDB_SHUFFLE_SEED = 113
"""`keras.datasets.imdb.load_data`'s seed: the file lists reviews grouped by label, so they must be shuffled."""

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
IMDB_CLASSES = ("negative", "positive")

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def keras_cache_directory() -> Path:
    """Where `keras.utils.get_file` keeps downloaded datasets (`$KERAS_HOME/datasets`, else `~/.keras/datasets`)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"



def download_possible(host: str) -> bool:
    """A quick look (no download) at whether `host` can be reached at all."""
    if is_offline():
        return False
    try:
        socket.create_connection((host, 443), timeout=3).close()
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class KerasSource:
    """Where `keras.datasets.<name>` caches its files, and what fetching them costs."""

    name: str
    files: tuple[str, ...]
    folders: tuple[str, ...]
    """Folders of the cache that may hold the files: the first is Keras's own, the last where a copy by hand goes."""
    host: str
    download_bytes: int
    by_hand: str
    """How to put the files there without Keras; `{folder}` is the last of `folders`."""

    @property
    def size_mb(self) -> float:
        return round(self.download_bytes / 1e6, 1)

    def cached_folder(self) -> Path | None:
        """The first of the folders that holds every file, if any does."""
        for folder in self.folders:
            path = keras_cache_directory() / folder
            if all((path / file).is_file() for file in self.files):
                return path
        return None

    def hand_copy_folder(self) -> Path:
        return keras_cache_directory() / self.folders[-1]

    def how_to_copy(self) -> str:
        return self.by_hand.format(folder=self.hand_copy_folder())


_FASHION_MNIST_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
_CIFAR10_BATCHES = tuple(f"data_batch_{number}" for number in range(1, 6)) + ("test_batch",)

KERAS_SOURCES: dict[str, KerasSource] = {
    source.name: source
    for source in (
        KerasSource("mnist", ("mnist.npz",), ("",), "storage.googleapis.com", 11_490_434,
                    f"copy mnist.npz from {KERAS_FILES_URL}mnist.npz into {{folder}}"),
        KerasSource("fashion_mnist", _FASHION_MNIST_FILES, ("fashion-mnist",), "storage.googleapis.com",
                    26_421_880 + 29_515 + 4_422_102 + 5_148,
                    f"copy {', '.join(_FASHION_MNIST_FILES)} from {KERAS_FILES_URL} into {{folder}}"),
        # Keras 3 extracts the archive into `cifar-10-batches-py-target`; extracting it by hand (and older
        # Keras versions) gives the folder `cifar-10-batches-py` that the archive holds.
        KerasSource("cifar10", _CIFAR10_BATCHES,
                    ("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py"), "www.cs.toronto.edu",
                    170_498_071,
                    f"download {CIFAR10_URL} and extract it into {{folder.parent}} "
                    f"(tar xzf cifar-10-python.tar.gz -C {{folder.parent}}), which makes {{folder}}"),
        KerasSource("imdb", ("imdb.npz", "imdb_word_index.json"), ("",), "storage.googleapis.com",
                    17_464_789 + 1_641_221,
                    f"copy imdb.npz and imdb_word_index.json from {KERAS_FILES_URL} into {{folder}}"),
    )
}


def keras_source(name: str) -> KerasSource:
    if name not in KERAS_SOURCES:
        raise ValueError(f"{name!r} is not one of the keras.datasets Keras Lab reads; "
                         f"choose one of: {', '.join(KERAS_SOURCES)}.")
    return KERAS_SOURCES[name]


def unreachable_message(source: KerasSource) -> str:
    reason = f"{OFFLINE_VARIABLE} is set" if is_offline() else f"{source.host} cannot be reached"
    return (f"keras.datasets.{source.name} is not cached in {keras_cache_directory()} and {reason}. "
            f"It needs {source.size_mb:.1f} MB: {source.how_to_copy()}.")


def keras_files(name: str) -> tuple[Path, str]:
    """The folder of the dataset's cached files, after a first download by Keras if needed; and how they came."""
    source = keras_source(name)
    folder = source.cached_folder()
    if folder is not None:
        return folder, f"cached at {folder}"
    if not download_possible(source.host):
        raise ValueError(unreachable_message(source))
    _download_with_keras(source)
    folder = source.cached_folder()
    if folder is None:
        raise ValueError(f"keras.datasets.{name} downloaded, but not into {source.hand_copy_folder()} or where "
                         f"Keras 3 keeps it; {source.how_to_copy()}.")
    return folder, "downloaded now"


def _download_with_keras(source: KerasSource) -> None:
    """Let Keras fetch its files into its cache (TensorFlow starts here, and only here)."""
    import keras

    module = getattr(keras.datasets, source.name)
    try:
        module.load_data()
        if source.name == "imdb":
            module.get_word_index()  # A second file: the words behind the indices.
    except Exception as error:  # Keras raises a bare Exception for a failed fetch.
        raise ValueError(f"keras.datasets.{source.name} could not download ({error}); "
                         f"{source.how_to_copy()}.") from error


class _NumpyArraysOnly(pickle.Unpickler):
    """Rebuilds numpy arrays and plain Python values, and refuses every other class or function.

    CIFAR-10's batches and IMDB's ragged reviews are pickles. A pickle can run any code while it loads, and these
    files may be copied in by hand from anywhere, so, as Keras 3 itself does, only numpy's array rebuilding is allowed.
    """

    _REBUILD_ARRAY = np.ndarray(0).__reduce__()[0]
    _ALLOWED = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        # The array rebuilder, under its numpy 1 name (the files Keras downloads) and its numpy 2 name.
        ("numpy.core.multiarray", "_reconstruct"): _REBUILD_ARRAY,
        ("numpy._core.multiarray", "_reconstruct"): _REBUILD_ARRAY,
    }

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self._ALLOWED:
            raise ValueError(f"refusing to load {module}.{name} from a dataset file: only numpy arrays may be in "
                             "it (the file is damaged or not what it claims to be).")
        return self._ALLOWED[module, name]


def _npy_array(stream: io.BytesIO) -> np.ndarray:
    """One `.npy` member: numbers read as usual, an object array (a pickle) through `_NumpyArraysOnly`."""
    version = np.lib.format.read_magic(stream)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    _, _, dtype = read_header(stream)
    if dtype.hasobject:
        return _NumpyArraysOnly(stream).load()
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an `.npz` file, like `np.load(path, allow_pickle=True)` but unable to run code."""
    with zipfile.ZipFile(path) as archive:
        return {member.removesuffix(".npy"): _npy_array(io.BytesIO(archive.read(member)))
                for member in archive.namelist() if member.endswith(".npy")}


def read_fashion_mnist(folder: Path) -> Arrays:
    """The gzipped IDX files: a 8-byte header before the labels, 16 bytes before the 28×28 images."""
    def idx_bytes(file: str, header: int) -> np.ndarray:
        with gzip.open(folder / file, "rb") as stream:
            return np.frombuffer(stream.read(), np.uint8, offset=header)

    y_train, y_test = idx_bytes("train-labels-idx1-ubyte.gz", 8), idx_bytes("t10k-labels-idx1-ubyte.gz", 8)
    x_train = idx_bytes("train-images-idx3-ubyte.gz", 16).reshape(len(y_train), 28, 28)
    x_test = idx_bytes("t10k-images-idx3-ubyte.gz", 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One pickled batch ({b"data": uint8 rows of 3×32×32 channel planes, b"labels": [...]}) as 32×32×3 images."""
    with open(path, "rb") as stream:
        batch = _NumpyArraysOnly(stream, encoding="bytes").load()
    images = batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), np.array(batch[b"labels"], dtype=np.uint8)


def read_cifar10(folder: Path) -> Arrays:
    """The five training batches and the test batch, labels flat (Keras gives them as (n, 1))."""
    train = [_cifar_batch(folder / f"data_batch_{number}") for number in range(1, 6)]
    x_train, y_train = (np.concatenate(arrays) for arrays in zip(*train))
    return (x_train, y_train), _cifar_batch(folder / "test_batch")


def pad_reviews(reviews: Sequence[Sequence[int]], num_words: int, length: int) -> np.ndarray:
    """Word ranks as `keras.datasets.imdb.load_data(num_words=...)` encodes them, then `keras.utils.pad_sequences`.

    Each review becomes START, then each rank + INDEX_FROM (OUT_OF_VOCABULARY from `num_words` on); only its last
    `length` indices are kept and shorter ones are padded in front, as `core.data.reviews.encode_review` does.
    """
    padded = np.full((len(reviews), length), PADDING, dtype=np.int32)
    for row, review in enumerate(reviews):
        indices = np.asarray(review[-length:], dtype=np.int64) + INDEX_FROM
        indices[indices >= num_words] = OUT_OF_VOCABULARY
        if len(indices) < length:  # The start mark survives only in a review shorter than `length`.
            indices = np.concatenate([[START], indices])
        padded[row, length - len(indices):] = indices
    return padded


def read_imdb(folder: Path, num_words: int, length: int) -> Arrays:
    """The reviews of `imdb.npz` in the order `keras.datasets.imdb.load_data` shuffles them into, padded."""
    archive = read_npz(folder / "imdb.npz")
    generator = np.random.RandomState(IMDB_SHUFFLE_SEED)
    splits = []
    for reviews, labels in ((archive["x_train"], archive["y_train"]), (archive["x_test"], archive["y_test"])):
        order = np.arange(len(reviews))
        generator.shuffle(order)
        splits.append((pad_reviews(reviews[order], num_words, length), labels[order]))
    return splits[0], splits[1]


def read_word_index(folder: Path) -> dict[str, int]:
    """Each word's frequency rank (1 = most frequent), as `keras.datasets.imdb.get_word_index` gives it."""
    with open(folder / "imdb_word_index.json", encoding="utf-8") as stream:
        return json.load(stream)


def decode_review(indices: Sequence[int], word_index: Mapping[str, int]) -> str:
    """A review's indices back as words: padding and the start mark dropped, '?' for a word out of vocabulary."""
    words = {rank + INDEX_FROM: word for word, rank in word_index.items()}
    return " ".join(words.get(int(index), "?") for index in indices if index not in (PADDING, START))


@dataclass(frozen=True)
class DatasetAvailability:
    """Whether a dataset can be loaded here, without loading it: for the Data page's catalogue."""

    name: str
    status: str
    """"cached", "downloadable", "unreachable", "shipped sample", "built in" or "upload"."""
    detail: str
    size_mb: float | None = None
    """What its download needs (Keras's datasets only)."""
    where: Path | None = None
    """Its files, or where a copy by hand goes when it is unreachable."""


def keras_availability(name: str) -> DatasetAvailability:
    """Cached, downloadable or unreachable: reads the cache folder, and tries the host only when not cached."""
    source = keras_source(name)
    folder = source.cached_folder()
    if folder is not None:
        return DatasetAvailability(name, "cached", f"keras.datasets.{name}, cached at {folder}", where=folder)
    if download_possible(source.host):
        return DatasetAvailability(name, "downloadable",
                                   f"keras.datasets.{name} downloads {source.size_mb:.1f} MB from {source.host} "
                                   f"on first use", source.size_mb, source.hand_copy_folder())
    return DatasetAvailability(name, "unreachable", unreachable_message(source), source.size_mb,
                               source.hand_copy_folder())
