"""Your own data: each loader on small real files the tests write, and every unsafe or malformed input refused
with a message that says what is wrong."""

import gzip
import io
import re
import struct
import zipfile

import cv2
import numpy as np
import pytest

from core.data.splits import stratified_split
from core.data.uploads.archive_safety import ArchiveLimits
from core.data.uploads.idx import load_idx_files
from core.data.uploads.upload_box import load_data_file
from core.models.inputs import check_fits
from core.models.presets import get_preset
from core.settings import MAX_UPLOAD_VARIABLE

# --- files as their tools write them ----------------------------------------------------------------------------


def idx_file(array: np.ndarray) -> bytes:
    """MNIST's IDX format: two zero bytes, 0x08 (unsigned bytes), the number of dimensions, each size big-endian."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def npz_file(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def zip_file(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def image_file(height: int, width: int, colour: tuple[int, ...] | None = None, extension: str = ".png",
               seed: int = 0) -> bytes:
    """An image written by OpenCV: random pixels, or one flat colour given in RGB."""
    shape = (height, width) if colour is None or len(colour) == 1 else (height, width, 3)
    if colour is None:
        pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    else:
        pixels = np.zeros(shape, dtype=np.uint8) + np.array(colour[::-1], dtype=np.uint8)  # OpenCV writes BGR.
    ok, encoded = cv2.imencode(extension, pixels)
    assert ok
    return encoded.tobytes()


def digits(count: int, classes: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    return generator.integers(0, 256, (count, 28, 28), dtype=np.uint8), np.arange(count, dtype=np.uint8) % classes


# --- each loader --------------------------------------------------------------------------------------------------


def test_npz_with_a_test_part_keeps_it():
    x, y = digits(30)
    report = load_data_file(npz_file(x_train=x[:20], y_train=y[:20], x_test=x[20:], y_test=y[20:]), "mine.npz")
    dataset = report.dataset
    assert (dataset.train_size, dataset.test_size, dataset.input_shape) == (20, 10, (28, 28))
    assert dataset.class_names == ("0", "1", "2", "3") and dataset.y_train.dtype == np.int32
    np.testing.assert_array_equal(dataset.x_test, x[20:])
    assert report.notes == () and report.skipped == 0 and "mine.npz" in dataset.source
    assert not dataset.x_train.flags.writeable


def test_npz_without_a_test_part_is_split_stratified_and_seeded():
    x = np.random.default_rng(0).normal(size=(50, 3))
    y = np.array([0] * 40 + [1] * 10)
    report = load_data_file(npz_file(x_train=x, y_train=y), "features.npz")
    dataset = report.dataset
    assert report.notes == ("no test part: 20% held out, stratified, seed 0",)
    assert (dataset.train_size, dataset.test_size) == (40, 10)
    assert np.bincount(dataset.y_test).tolist() == [8, 2] and dataset.x_train.dtype == np.float32
    again = load_data_file(npz_file(x_train=x, y_train=y), "features.npz").dataset
    np.testing.assert_array_equal(again.x_test, dataset.x_test)


@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "gz"])
def test_idx_images_and_labels_as_mnist_distributes_them(compressed):
    x, y = digits(20)
    images, labels = idx_file(x), idx_file(y)
    suffix = ".gz" if compressed else ""
    if compressed:
        images, labels = gzip.compress(images), gzip.compress(labels)
    report = load_idx_files([(labels, f"train-labels-idx1-ubyte{suffix}"), (images, f"train-images-idx3-ubyte{suffix}")])
    dataset = report.dataset
    assert (dataset.train_size + dataset.test_size, dataset.input_shape) == (20, (28, 28))
    assert dataset.x_train.dtype == np.uint8 and dataset.class_names == ("0", "1", "2", "3")
    for example, label in zip(dataset.x_train, dataset.y_train):  # Every example kept with its own label.
        assert y[np.flatnonzero((x == example).all(axis=(1, 2)))[0]] == label
    assert "no test part" in report.notes[0]


def test_a_zip_of_the_four_mnist_files_keeps_its_test_part():
    x, y = digits(30)
    archive = zip_file({
        "fashion/train-images-idx3-ubyte.gz": gzip.compress(idx_file(x[:20])),
        "fashion/train-labels-idx1-ubyte.gz": gzip.compress(idx_file(y[:20])),
        "fashion/t10k-images-idx3-ubyte.gz": gzip.compress(idx_file(x[20:])),
        "fashion/t10k-labels-idx1-ubyte.gz": gzip.compress(idx_file(y[20:])),
    })
    dataset = load_data_file(archive, "fashion.zip").dataset
    assert (dataset.train_size, dataset.test_size) == (20, 10)
    np.testing.assert_array_equal(dataset.y_test, y[20:])


def test_csv_of_numeric_features_and_named_classes():
    rows = [f"{index * 0.1:.1f},{-index},{['setosa', 'virginica', 'versicolor'][index % 3]}" for index in range(30)]
    report = load_data_file(("length,width,species\n" + "\n".join(rows) + "\n").encode(), "iris.csv")
    dataset = report.dataset
    assert dataset.class_names == ("setosa", "versicolor", "virginica") and dataset.input_shape == (2,)
    assert dataset.x_train.dtype == np.float32 and dataset.train_size + dataset.test_size == 30
    assert set(dataset.y_test.tolist()) == {0, 1, 2}
    check_fits(get_preset("spiral-dense10").spec, dataset)


def test_csv_of_texts_is_encoded_for_the_imdb_preset():
    texts = [("a wonderful film, wonderful acting", "positive"), ("a dull and boring film", "negative")] * 10
    data = "review,sentiment\n" + "\n".join(f'"{text}",{label}' for text, label in texts)
    report = load_data_file(data.encode(), "reviews.csv")
    dataset = report.dataset
    assert dataset.class_names == ("negative", "positive") and dataset.input_shape == (100,)
    assert dataset.word_index["a"] == 1 and dataset.word_index["film"] == 2  # Rank 1: the most frequent word.
    assert dataset.x_train[0, -1] in (dataset.word_index["acting"] + 3, dataset.word_index["film"] + 3)
    assert any("keras.datasets.imdb" in note for note in report.notes)
    check_fits(get_preset("imdb-simplernn30").spec, dataset)


def test_image_zip_by_folder_skips_a_corrupt_image_and_resizes_mixed_sizes():
    entries = {f"pets/{kind}/{number}.jpg": image_file(100 + number, 80, extension=".jpg", seed=number)
               for kind in ("cat", "dog") for number in range(5)}
    entries["pets/cat/flat.png"] = image_file(128, 128, colour=(10, 20, 30))
    entries["pets/dog/broken.jpg"] = image_file(60, 60, extension=".jpg")[:40]
    report = load_data_file(zip_file(entries), "pets.zip")
    dataset = report.dataset
    assert report.skipped == 1 and dataset.class_names == ("cat", "dog")
    assert dataset.input_shape == (128, 128, 3) and dataset.x_train.dtype == np.uint8
    assert dataset.train_size + dataset.test_size == 11
    assert "10 images of other sizes resized to 128×128" in report.notes
    assert any("broken.jpg" in note and "skipped" in note for note in report.notes)
    flat = [example for example in (*dataset.x_train, *dataset.x_test) if (example == example[0, 0]).all()]
    assert flat[0][0, 0].tolist() == [10, 20, 30]  # RGB order, raw 0–255: the preset's input_scale makes [0, 1].


def test_grey_image_zip_by_file_name_prefix_becomes_28_by_28():
    entries = {f"train/{kind}.{number}.png": image_file(28 + number, 28, colour=(number * 20,))
               for kind in ("cat", "dog") for number in range(4)}
    report = load_data_file(zip_file(entries), "train.zip")
    dataset = report.dataset
    assert dataset.class_names == ("cat", "dog") and dataset.input_shape == (28, 28)
    assert "6 images of other sizes resized to 28×28" in report.notes
    assert "file-name prefixes" in dataset.source


def test_image_zip_with_train_and_test_folders_keeps_that_split_and_the_chosen_size():
    entries = {f"{part}/{kind}/{number}.png": image_file(20, 20, seed=number)
               for part in ("train", "test") for kind in ("a", "b") for number in range(3 if part == "train" else 1)}
    report = load_data_file(zip_file(entries), "parts.zip", image_size=(16, 24), grey=True)
    dataset = report.dataset
    assert (dataset.train_size, dataset.test_size, dataset.input_shape) == (6, 2, (16, 24))
    assert dataset.y_test.tolist() == [0, 1]


def test_stratified_split_puts_every_class_in_both_parts():
    labels = np.array([0] * 9 + [1] * 2 + [2])
    train, test = stratified_split(labels, 0.25, seed=3)
    assert sorted([*train, *test]) == list(range(12))
    assert set(labels[test]) == {0, 1} and set(labels[train]) == {0, 1, 2}
    np.testing.assert_array_equal(stratified_split(labels, 0.25, seed=3)[1], test)


@pytest.mark.parametrize("labels, fraction, message", [
    ([0, 1, 0, 1], 1.0, "between 0 and 1"),
    ([0, 1, 0, 1], 0.0, "between 0 and 1"),
    ([0, 1], 0.5, "too few to hold some out"),
])
def test_stratified_split_refuses(labels, fraction, message):
    with pytest.raises(ValueError, match=message):
        stratified_split(np.array(labels), fraction, seed=0)


# --- every unsafe or malformed input, with its message ---------------------------------------------------------


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("cat/1.png")
        link.external_attr = 0o120777 << 16  # What `zip --symlinks` writes: the link's mode in the high bits.
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def good_images(count: int = 2) -> dict[str, bytes]:
    return {f"cat.{number}.png": image_file(8, 8, seed=number) for number in range(count)}


X, Y = digits(10, classes=2)
ROWS = "a,b,label\n" + "".join(f"{index},{index * 2},{index % 2}\n" for index in range(10))

BAD_INPUTS = [
    ("empty file", lambda: (b"", "mine.npz", {}), "mine.npz is empty (0 bytes)"),
    ("over the upload limit", lambda: (npz_file(x_train=X, y_train=Y), "big.npz", {}),
     "more than the 1.0 KB Keras Lab accepts"),
    ("zip bomb: ratio", lambda: (zip_file({"cat.1.png": bytes(4 * 2**20)}), "bomb.zip", {}),
     "more than 100 times its size: that is how a zip bomb looks"),
    ("zip bomb: total size", lambda: (zip_file(good_images(4)), "many.zip",
                                      {"limits": ArchiveLimits(max_total_bytes=600)}), "unpacks to more than"),
    ("gzip bomb in a zip of IDX", lambda: (zip_file({"train-images-idx3-ubyte.gz": gzip.compress(bytes(4 * 2**20)),
                                                     "train-labels-idx1-ubyte.gz": gzip.compress(idx_file(Y))},
                                                    zipfile.ZIP_STORED), "idx.zip", {}), "that is how a zip bomb looks"),
    ("entry with ..", lambda: (zip_file({"../evil.png": image_file(8, 8), **good_images()}), "up.zip", {}),
     "holds the entry '../evil.png', which points outside the archive"),
    ("absolute entry", lambda: (zip_file({"/etc/x.png": image_file(8, 8), **good_images()}), "abs.zip", {}),
     "holds the entry '/etc/x.png', which points outside the archive"),
    ("symlink entry", lambda: (symlink_zip(), "link.zip", {}), "'cat/1.png', a symbolic link"),
    ("a .txt in an image zip", lambda: (zip_file({**good_images(), "notes.txt": b"hello"}), "pets.zip", {}),
     "not PNG or JPEG images, such as 'notes.txt'"),
    ("only corrupt images", lambda: (zip_file({"cat.1.png": b"\x89PNG\r\n\x1a\nbroken", "dog.1.jpg": b"no"}),
                                     "broken.zip", {}), "none of the 2 images in broken.zip could be decoded"),
    ("x and y of different lengths", lambda: (npz_file(x_train=X, y_train=Y[:7]), "short.npz", {}),
     "x_train holds 10 examples but y_train holds 7 labels"),
    ("non-numeric CSV feature", lambda: (ROWS.replace("3,6,1", "3,six,1").encode(), "words.csv", {}),
     "line 5 of words.csv holds 'six' in column 'b', which is not a number"),
    ("NaN CSV feature", lambda: (ROWS.replace("3,6,1", "3,nan,1").encode(), "gaps.csv", {}),
     "line 5 of gaps.csv holds 'nan' in column 'b'"),
    ("NaN npz feature", lambda: (npz_file(x_train=np.where(X > 250, np.nan, X), y_train=Y), "nan.npz", {}),
     "x_train in nan.npz holds"),
    ("negative label", lambda: (npz_file(x_train=X, y_train=Y.astype(int) - 1), "minus.npz", {}),
     "holds the label -1, which is not a class index"),
    ("fractional label", lambda: (npz_file(x_train=X, y_train=Y + 0.5), "half.npz", {}),
     "holds the label 0.5, which is not a class index"),
    ("fractional CSV label", lambda: (ROWS.replace("3,6,1", "3,6,2.5").encode(), "half.csv", {}),
     "holds 2.5, which is not a class"),
    ("a single class", lambda: (npz_file(x_train=X, y_train=np.zeros(10, dtype=int)), "one.npz", {}),
     "one.npz holds a single class ('0')"),
    ("a single class in an image zip", lambda: (zip_file(good_images(3)), "cats.zip", {}),
     "cats.zip holds a single class ('cat')"),
    ("a PNG named .npz", lambda: (image_file(8, 8), "photo.npz", {}), "photo.npz is named like an .npz archive "
                                                                      "(as numpy.savez writes) but is a PNG image"),
    ("a CSV named .zip", lambda: (ROWS.encode(), "table.zip", {}), "table.zip is named like a zip archive but is "
                                                                   "a text file"),
    ("a zip named .csv", lambda: (zip_file(good_images()), "table.csv", {}), "named like a CSV table but is a zip"),
    ("pickled objects in an npz", lambda: (npz_file(x_train=np.array([{"a": 1}] * 10, dtype=object), y_train=Y),
                                           "pickle.npz", {}), "x_train in pickle.npz holds Python objects"),
    ("npz without y_train", lambda: (npz_file(x=X, y=Y), "names.npz", {}), "needs x_train and y_train"),
    ("CSV row of the wrong length", lambda: (ROWS.replace("3,6,1", "3,1").encode(), "ragged.csv", {}),
     "line 5 of ragged.csv holds 2 values but the header names 3 columns"),
    ("semicolon-separated CSV", lambda: (b"a;b;label\n1;2;0\n3;4;1\n", "semi.csv", {}), "semi.csv has a single column"),
    ("one IDX file alone", lambda: (idx_file(X), "train-images-idx3-ubyte", {}), "is one IDX file"),
    ("unknown kind of file", lambda: (b"hello", "notes.txt", {}), "Keras Lab reads .npz arrays"),
]


@pytest.mark.parametrize("make_input, message", [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_unsafe_or_malformed_input_is_refused_with_its_message(make_input, message, monkeypatch):
    data, name, options = make_input()
    if name == "big.npz":
        monkeypatch.setenv(MAX_UPLOAD_VARIABLE, str(1 / 1024))
    with pytest.raises(ValueError, match=re.escape(message)):
        load_data_file(data, name, **options)


BAD_IDX_PAIRS = [
    ("labels named as images", lambda: (idx_file(Y), "images-idx3-ubyte", idx_file(X), "labels-idx1-ubyte"),
     "images-idx3-ubyte holds labels (an IDX file of 1 dimension) but its name says images"),
    ("cut short", lambda: (idx_file(X)[:-5], "images-idx3-ubyte", idx_file(Y), "labels-idx1-ubyte"),
     "announces 10 × 28 × 28 = 7,840 bytes but 7,835 follow it"),
    ("counts differ", lambda: (idx_file(X), "images-idx3-ubyte", idx_file(Y[:9]), "labels-idx1-ubyte"),
     "images-idx3-ubyte holds 10 examples but labels-idx1-ubyte holds 9 labels"),
    ("not gzip though named .gz", lambda: (idx_file(X), "images-idx3-ubyte.gz", idx_file(Y), "labels-idx1-ubyte"),
     "named like a gzip-compressed file (.gz) but is an IDX images file"),
    ("a PNG named as IDX", lambda: (image_file(8, 8), "images-idx3-ubyte", idx_file(Y), "labels-idx1-ubyte"),
     "named like an IDX file of unsigned bytes (as MNIST's) but is a PNG image"),
    ("empty labels file", lambda: (idx_file(X), "images-idx3-ubyte", b"", "labels-idx1-ubyte"),
     "labels-idx1-ubyte is empty"),
]


@pytest.mark.parametrize("make_input, message", [case[1:] for case in BAD_IDX_PAIRS],
                         ids=[case[0] for case in BAD_IDX_PAIRS])
def test_unsafe_or_malformed_idx_files_are_refused_with_their_message(make_input, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        images, images_name, labels, labels_name = make_input()
        load_idx_files([(images, images_name), (labels, labels_name)])
