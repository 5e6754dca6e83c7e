"""Your own data: each loader on small real files the tests write, and every unsafe or malformed input refused
with a message that says what is wrong."""

import gzip
import re

import numpy as np
import pytest
from file_builders import (
    BAD_INPUTS,
    X,
    Y,
    digits,
    idx_file,
    image_file,
    npz_file,
    zip_file,
)

from core.data.splits import stratified_split
from core.data.uploads.idx import load_idx_files
from core.data.uploads.upload_box import load_data_file
from core.models.inputs import check_fits
from core.models.presets import get_preset
from core.settings import MAX_UPLOAD_VARIABLE

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
