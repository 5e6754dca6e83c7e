"""Every mix of files in the Data page's upload box ends in a dataset or in one sentence saying what to do."""

import gzip
import re

import numpy as np
import pytest
from file_builders import digits, idx_file, npz_file, zip_file

from core.data.uploads.upload_box import WHAT_TO_UPLOAD, load_uploaded_files

X, Y = digits(30)
IMAGES = ("train-images-idx3-ubyte.gz", gzip.compress(idx_file(X[:20])))
LABELS = ("train-labels-idx1-ubyte.gz", gzip.compress(idx_file(Y[:20])))
TEST_IMAGES = ("t10k-images-idx3-ubyte.gz", gzip.compress(idx_file(X[20:])))
TEST_LABELS = ("t10k-labels-idx1-ubyte.gz", gzip.compress(idx_file(Y[20:])))
NPZ = ("mine.npz", npz_file(x_train=X, y_train=Y))
CSV = ("table.csv", b"a,b,label\n" + b"".join(b"%d,%d,%d\n" % (index, index * 2, index % 2) for index in range(10)))


def files(*named: tuple[str, bytes]) -> list[tuple[bytes, str]]:
    return [(data, name) for name, data in named]


@pytest.mark.parametrize("order", [(IMAGES, LABELS), (LABELS, IMAGES)], ids=["images first", "labels first"])
def test_an_idx_pair_in_either_order_is_one_dataset_split_for_testing(order):
    report = load_uploaded_files(files(*order))
    dataset = report.dataset
    assert (dataset.train_size + dataset.test_size, dataset.input_shape) == (20, (28, 28))
    assert "no test part" in report.notes[-1]
    for example, label in zip(dataset.x_train, dataset.y_train):  # Every example kept with its own label.
        assert Y[np.flatnonzero((X == example).all(axis=(1, 2)))[0]] == label


def test_the_four_mnist_files_keep_their_test_part():
    dataset = load_uploaded_files(files(TEST_LABELS, IMAGES, TEST_IMAGES, LABELS)).dataset
    assert (dataset.train_size, dataset.test_size) == (20, 10)
    np.testing.assert_array_equal(dataset.x_test, X[20:])


def test_a_zip_of_an_idx_pair_is_read_with_the_images_options_ignored():
    archive = zip_file(dict([IMAGES, LABELS]))
    dataset = load_uploaded_files(files(("mnist.zip", archive)), image_size=(128, 128), grey=False).dataset
    assert dataset.input_shape == (28, 28) and dataset.train_size + dataset.test_size == 20


def test_one_file_alone_is_read_by_its_kind():
    assert load_uploaded_files(files(NPZ)).dataset.train_size + load_uploaded_files(files(NPZ)).dataset.test_size == 30
    assert load_uploaded_files(files(CSV)).dataset.input_shape == (2,)


MIXED_BOXES = [
    ("an npz left there, then a csv", (NPZ, CSV)),
    ("two npz files", (NPZ, ("other.npz", NPZ[1]))),
    ("an idx pair beside an npz", (IMAGES, LABELS, NPZ)),
    ("an images file beside a csv", (IMAGES, CSV)),
]


@pytest.mark.parametrize("box", [case[1] for case in MIXED_BOXES], ids=[case[0] for case in MIXED_BOXES])
def test_a_mixed_box_says_which_files_and_what_to_do(box):
    with pytest.raises(ValueError, match=re.escape(WHAT_TO_UPLOAD)) as raised:
        load_uploaded_files(files(*box))
    message = str(raised.value)
    assert all(name in message for name, _ in box) and "Traceback" not in message


INCOMPLETE_IDX_SETS = [
    ("two images files", (IMAGES, ("more-images-idx3-ubyte.gz", IMAGES[1])), "two IDX train files of one kind"),
    ("train pair and test images only", (IMAGES, LABELS, TEST_IMAGES), "the test ones (t10k-…) with both or neither"),
    ("test pair only", (TEST_IMAGES, TEST_LABELS), "a dataset needs the train images"),
    ("labels named as images", (("train-images-idx3-ubyte.gz", LABELS[1]), ("train-labels-idx1-ubyte.gz", IMAGES[1])),
     "but its name says images"),
]


@pytest.mark.parametrize("box, message", [case[1:] for case in INCOMPLETE_IDX_SETS],
                         ids=[case[0] for case in INCOMPLETE_IDX_SETS])
def test_idx_files_that_do_not_make_a_dataset_say_what_is_missing(box, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_uploaded_files(files(*box))


def test_an_unknown_binary_file_is_described_without_python_byte_strings():
    with pytest.raises(ValueError) as raised:
        load_uploaded_files([(b"This is\x00\x01 binary", "data.npz")])
    assert "b'" not in str(raised.value) and "“This is" not in str(raised.value)
    assert "54 68 69 73 20 69 73 00" in str(raised.value)
    with pytest.raises(ValueError, match="it starts with “GIF89a"):
        load_uploaded_files([(b"GIF89a;;" + b"\x00" * 10, "photo.npz")])
