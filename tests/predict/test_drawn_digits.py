"""A visitor's own test set of drawn digits, kept on disk."""

import numpy as np
import pytest

from core.predict.drawn_digits import MAX_DRAWINGS, DrawnDigits

OWNER = "0123456789abcdef0123456789abcdef"


def test_drawings_are_kept_per_visitor_and_survive_a_new_store(tmp_path):
    store = DrawnDigits(tmp_path)
    assert store.load(OWNER)[0].shape == (0, 28, 28)
    seven = np.full((28, 28), 200, dtype=np.uint8)
    assert store.add(OWNER, seven, 7) == 1
    assert store.add(OWNER, np.zeros((28, 28), dtype=np.uint8), 1) == 2
    digits, labels = DrawnDigits(tmp_path).load(OWNER)
    np.testing.assert_array_equal(digits[0], seven)
    assert labels.tolist() == [7, 1]
    assert store.load("cli")[0].shape == (0, 28, 28), "another visitor's test set is their own"
    assert store.remove_last(OWNER) == 1 and store.load(OWNER)[1].tolist() == [7]
    store.clear(OWNER)
    assert len(store.load(OWNER)[1]) == 0


@pytest.mark.parametrize("owner, digit, label, message", [
    (OWNER, np.zeros((28, 27), dtype=np.uint8), 3, r"a 28×28 image, got shape \(28, 27\)"),
    (OWNER, np.zeros((28, 28), dtype=np.uint8), 10, r"a digit's label is 0 to 9, got 10"),
    ("../etc", np.zeros((28, 28), dtype=np.uint8), 3, r"cannot name a test set"),
])
def test_bad_drawings_are_refused(tmp_path, owner, digit, label, message):
    with pytest.raises(ValueError, match=message):
        DrawnDigits(tmp_path).add(owner, digit, label)
    assert not any(tmp_path.iterdir()), "nothing was written"


def test_a_full_test_set_says_so(tmp_path):
    store = DrawnDigits(tmp_path)
    digits = np.zeros((MAX_DRAWINGS, 28, 28), dtype=np.uint8)
    np.savez_compressed(tmp_path / f"{OWNER}.npz", x=digits, y=np.zeros(MAX_DRAWINGS, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"your test set is full \(500 drawings\): clear it"):
        store.add(OWNER, digits[0], 0)
