"""Fashion-MNIST, CIFAR-10 and IMDB read from small files written in the exact layout Keras 3 caches them in.

Every test points `KERAS_HOME` at its own temporary folder, so nothing is downloaded and the other tests keep
finding no cache (and the shipped MNIST sample).
"""

import gzip
import io
import json
import os
import pickle
import struct

import numpy as np
import pytest

from core.data.builtin import load_cifar10, load_fashion_mnist, load_imdb
from core.data.catalogue import dataset_availability, load_dataset
from core.data.keras_cache import (
    CIFAR10_CLASSES,
    decode_review,
    keras_cache_directory,
    read_cifar10,
)

# A word index as `keras.datasets.imdb.get_word_index()` gives it: each word's frequency rank, 1 = most frequent.
WORD_INDEX = {"the": 1, "movie": 2, "was": 3, "great": 4, "awful": 5, "plot": 996, "zanzibar": 997}


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """An empty Keras cache (`$KERAS_HOME/datasets`) of this test's own."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = keras_cache_directory()
    folder.mkdir()
    return folder


def write_fashion_mnist(cache, train: int = 7, test: int = 3):
    """The four gzipped IDX files of `keras.datasets.fashion_mnist`, big-endian headers included."""
    folder = cache / "fashion-mnist"
    folder.mkdir()
    for prefix, count in (("train", train), ("t10k", test)):
        labels = np.arange(count, dtype=np.uint8) % 10
        images = np.broadcast_to(labels[:, None, None] * 20, (count, 28, 28)).astype(np.uint8)
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as stream:
            stream.write(struct.pack(">II", 0x801, count) + labels.tobytes())
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as stream:
            stream.write(struct.pack(">IIII", 0x803, count, 28, 28) + images.tobytes())


class Python2Pickler(pickle._Pickler):
    """Pickles as CIFAR-10's Python 2 did: protocol 2, every string a byte string, numpy 1's module name.

    Python 3 would write bytes through `_codecs.encode`, which Keras (and Keras Lab) rightly refuse to unpickle.
    """

    def save_python2_string(self, text: str | bytes) -> None:
        data = text.encode("latin-1") if isinstance(text, str) else text
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]))
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)))
        self.write(data)
        self.memoize(text)

    dispatch = {**pickle._Pickler.dispatch, bytes: save_python2_string, str: save_python2_string}


def python2_pickle(value: object) -> bytes:
    stream = io.BytesIO()
    Python2Pickler(stream, protocol=2).dump(value)
    numpy_2_name, numpy_1_name = b"cnumpy._core.multiarray\n_reconstruct\n", b"cnumpy.core.multiarray\n_reconstruct\n"
    return stream.getvalue().replace(numpy_2_name, numpy_1_name)


def cifar_batch(first_label: int, count: int) -> dict:
    """A batch as CIFAR-10's Python pickles hold it: bytes keys, each image a row of its R, G and B planes."""
    labels = [(first_label + index) % 10 for index in range(count)]
    planes = np.array([[label, 100 + label, 200 + label] for label in labels], dtype=np.uint8)
    data = np.repeat(planes, 32 * 32, axis=1)
    data[:, 0] = 255  # Pixel (0, 0) of the red plane only: checks the planes become the last axis.
    return {b"batch_label": b"a tiny batch", b"labels": labels, b"data": data,
            b"filenames": [f"image_{index}.png".encode() for index in range(count)]}


def write_cifar10(folder, batch_size: int = 2, test: int = 3):
    """`cifar-10-batches-py` as the archive holds it: five training batches, the test batch and batches.meta."""
    folder.mkdir(parents=True)
    batches = {f"data_batch_{number}": cifar_batch(number, batch_size) for number in range(1, 6)}
    batches["test_batch"] = cifar_batch(0, test)
    batches["batches.meta"] = {b"num_cases_per_batch": batch_size, b"num_vis": 3072,
                               b"label_names": [name.encode() for name in CIFAR10_CLASSES]}
    for name, batch in batches.items():
        (folder / name).write_bytes(python2_pickle(batch))


def ragged(reviews: list[list[int]]) -> np.ndarray:
    """Reviews as `imdb.npz` stores them: a 1-D object array of Python lists of word ranks."""
    array = np.empty(len(reviews), dtype=object)
    array[:] = reviews
    return array


def write_imdb(cache):
    """`imdb.npz` (ranks, no start mark, grouped by label as in Keras's file) and `imdb_word_index.json`."""
    train = [[1, 2, 3, 4], [1, 2, 3, 5], [4] * 150, [1] + [2] * 98, [3] * 100, [1, 996, 997]]
    test = [[4, 4], [5, 5], [2, 4], [2, 5]]
    np.savez(cache / "imdb.npz", x_train=ragged(train), y_train=np.array([1, 1, 1, 0, 0, 0]),
             x_test=ragged(test), y_test=np.array([1, 0, 1, 0]))
    (cache / "imdb_word_index.json").write_text(json.dumps(WORD_INDEX))
    return train, test


def test_fashion_mnist_reads_keras_idx_files(cache):
    write_fashion_mnist(cache)
    fashion = load_fashion_mnist()
    assert fashion.x_train.shape == (7, 28, 28) and fashion.x_test.shape == (3, 28, 28)
    assert fashion.x_train.dtype == np.uint8 and fashion.y_train.dtype == np.uint8
    assert fashion.y_train.tolist() == list(range(7)) and fashion.x_train[3].max() == 60
    assert fashion.class_names[0] == "T-shirt/top" and fashion.class_names[9] == "Ankle boot"
    assert str(cache / "fashion-mnist") in fashion.source
    assert dataset_availability("fashion_mnist").status == "cached"


@pytest.mark.parametrize("layout", ["cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py"])
def test_cifar10_reads_the_batches_keras_3_extracts_or_a_copy_by_hand(cache, layout):
    write_cifar10(cache / layout)
    cifar = load_cifar10()
    assert cifar.x_train.shape == (10, 32, 32, 3) and cifar.x_test.shape == (3, 32, 32, 3)
    assert cifar.x_train.dtype == np.uint8 and cifar.y_train.shape == (10,)
    assert cifar.y_train.tolist() == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    # Each image's planes become its channels: red at (0, 0) is 255, elsewhere label, 100 + label, 200 + label.
    assert cifar.x_train[0, 0, 0].tolist() == [255, 101, 201] and cifar.x_train[0, 5, 7].tolist() == [1, 101, 201]
    assert cifar.class_names == CIFAR10_CLASSES and cifar.class_names[0] == "airplane"
    availability = dataset_availability("cifar10")
    assert availability.status == "cached" and availability.where == cache / layout


def test_a_tampered_pickle_cannot_run_code(cache, tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")

    class Tampered:
        def __reduce__(self):
            return os.remove, (str(victim),)

    folder = cache / "cifar-10-batches-py"
    write_cifar10(folder)
    (folder / "data_batch_1").write_bytes(python2_pickle({b"data": Tampered(), b"labels": [0]}))
    with pytest.raises(ValueError, match="refusing to load (posix|nt).remove"):
        read_cifar10(folder)
    assert victim.read_text() == "keep me"


def test_imdb_is_encoded_and_padded_as_the_simplernn_example_reads_it(cache):
    train, test = write_imdb(cache)
    imdb = load_imdb()
    assert imdb.x_train.shape == (6, 100) and imdb.x_test.shape == (4, 100) and imdb.x_train.dtype == np.int32
    assert imdb.class_names == ("negative", "positive") and dict(imdb.word_index) == WORD_INDEX
    with pytest.raises(TypeError):
        imdb.word_index["new"] = 9  # Shared by every session, like the arrays.
    # keras.datasets.imdb.load_data shuffles train, then test, with one RandomState(113).
    generator = np.random.RandomState(113)
    train_order, test_order = generator.permutation(len(train)), generator.permutation(len(test))
    assert imdb.y_train.tolist() == np.array([1, 1, 1, 0, 0, 0])[train_order].tolist()
    assert imdb.y_test.tolist() == np.array([1, 0, 1, 0])[test_order].tolist()
    encoded = {int(position): imdb.x_train[row] for row, position in enumerate(train_order)}
    # A short review: padding in front, the start mark 1, then each rank + 3.
    assert encoded[0].tolist() == [0] * 95 + [1, 4, 5, 6, 7]
    # Longer than 100: only its last 100 words, no start mark (keras.utils.pad_sequences keeps the end).
    assert encoded[2].tolist() == [7] * 100
    assert encoded[3].tolist() == [1, 4] + [5] * 98, "99 words and the start mark fill exactly 100"
    assert encoded[4].tolist() == [6] * 100, "100 words push the start mark out"
    # Rank 996 + 3 = 999 is the last index of a 1,000-word vocabulary; rank 997 is out of vocabulary (2).
    assert encoded[5][-4:].tolist() == [1, 4, 999, 2]
    assert decode_review(encoded[0], imdb.word_index) == "the movie was great"
    assert decode_review(encoded[5], imdb.word_index) == "the plot ?"
    assert dataset_availability("imdb").status == "cached"


def test_imdb_vocabulary_and_length_can_be_chosen(cache):
    write_imdb(cache)
    imdb = load_imdb(num_words=6, length=3)
    assert imdb.x_train.shape == (6, 3) and int(imdb.x_train.max()) == 5
    with pytest.raises(ValueError, match="num_words above 3"):
        load_imdb(num_words=3)


@pytest.mark.parametrize("name, megabytes, folder", [
    ("cifar10", "170.5 MB", "cifar-10-batches-py"), ("fashion_mnist", "30.9 MB", "fashion-mnist"),
    ("imdb", "19.1 MB", ""),
])
def test_offline_without_the_files_says_what_they_need_and_where_they_go(cache, name, megabytes, folder):
    with pytest.raises(ValueError, match="KERAS_LAB_OFFLINE is set") as error:
        load_dataset(name)
    assert megabytes in str(error.value) and str(cache / folder) in str(error.value)
    availability = dataset_availability(name)
    assert availability.status == "unreachable" and availability.where == cache / folder
    assert availability.size_mb == float(megabytes.split()[0]) and megabytes in availability.detail


def test_availability_of_the_other_datasets():
    assert dataset_availability("mnist").status == "shipped sample"
    assert dataset_availability("spiral").status == dataset_availability("alphabet").status == "built in"
    assert dataset_availability("catsdogs").status == "upload"
    with pytest.raises(ValueError, match="unknown dataset"):
        dataset_availability("cifar100")


def test_the_imdb_simplernn_preset_trains_on_the_imdb_loader(cache):
    """The preset end to end on `load_imdb`'s arrays (Keras's file format, a few reviews): it fits and it learns."""
    from core.models.presets import get_preset
    from core.models.spec import TrainingConfig
    from core.training.history import RunHistory
    from core.training.train import train_model

    write_imdb(cache)
    preset = get_preset("imdb-simplernn30")
    result = train_model(preset.spec, TrainingConfig(epochs=2, batch_size=2), load_imdb(), RunHistory())
    assert 0.0 <= result.test_accuracy <= 1.0 and np.isfinite(result.test_loss)
