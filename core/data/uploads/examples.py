"""What every upload loader shares: the examples it found (`Examples`), the checks their arrays pass, and the
common end of every loader (`report_of`) that splits off a test part and makes the `Dataset`.

Every way a file can be wrong ends in a ValueError that says what is wrong and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Mapping

import numpy as np

from core.data.dataset import Dataset
from core.data.images import JPEG_SIGNATURE, PNG_SIGNATURE
from core.data.splits import stratified_split
from core.number_text import readable_size
from core.settings import MAX_UPLOAD_VARIABLE, max_upload_bytes

UPLOAD_NAME = "upload"
"""The name every loaded file's dataset gets; `DatasetStore.save` gives it its own."""
MAX_CLASSES = 1000
SIGNATURES = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (PNG_SIGNATURE, "a PNG image"),
    (JPEG_SIGNATURE, "a JPEG image"),
    (b"\x93NUMPY", "a single NumPy array (.npy)"),
    (b"\x00\x00\x08\x03", "an IDX images file"),
    (b"\x00\x00\x08\x01", "an IDX labels file"),
)


@dataclass(frozen=True)
class LoadReport:
    """A loaded file's dataset, how many images could not be decoded, and what was done to the data to fit."""

    dataset: Dataset
    skipped: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Examples:
    """What a loader found, before the common checks, the split and the `Dataset`."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: tuple[str, ...]
    description: str
    skipped: int = 0
    notes: tuple[str, ...] = ()
    word_index: Mapping[str, int] | None = None


def check_upload_size(byte_count: int, file_name: str) -> None:
    """Refuse an empty file or one over the upload limit, before it is read (the CLI) or parsed (a page)."""
    if byte_count == 0:
        raise ValueError(f"{file_name} is empty (0 bytes): choose the file again, or export the data again.")
    limit = max_upload_bytes()
    if byte_count > limit:
        raise ValueError(f"{file_name} is {readable_size(byte_count)}, more than the {readable_size(limit)} Keras Lab "
                         f"accepts: upload a smaller sample, or raise the limit with {MAX_UPLOAD_VARIABLE}.")


def report_of(examples: Examples, name: str, test_fraction: float, seed: int) -> LoadReport:
    """The common end of every loader: at least two classes, a test part (split off when missing), a Dataset."""
    check_two_classes(examples.y_train, examples.class_names, name)
    x_train, y_train, x_test, y_test = examples.x_train, examples.y_train, examples.x_test, examples.y_test
    notes = list(examples.notes)
    if x_test is None or y_test is None:
        train, test, note = held_out(y_train, test_fraction, seed)
        x_train, y_train, x_test, y_test = x_train[train], y_train[train], x_train[test], y_train[test]
        notes.append(note)
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # Shared by every session of a server, like the built-in datasets.
    dataset = Dataset(name=UPLOAD_NAME, title=PurePosixPath(name).stem.split(".")[0] or name, task="classification",
                      x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
                      class_names=examples.class_names, source=f"your file {name}: {examples.description}",
                      word_index=examples.word_index)
    return LoadReport(dataset, examples.skipped, tuple(notes))


def held_out(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    train, test = stratified_split(labels, test_fraction, seed)
    return train, test, f"no test part: {test_fraction:.0%} held out, stratified, seed {seed}"


def check_two_classes(labels: np.ndarray, class_names: tuple[str, ...], name: str) -> None:
    present = np.unique(labels)
    if len(present) < 2:
        only = class_names[int(present[0])] if len(present) else "none"
        raise ValueError(f"{name} holds a single class ({only!r}) in its training examples: a classifier learns to "
                         "tell classes apart, so add examples of at least one other class.")


def check_finite(array: np.ndarray, where: str) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        first = np.argwhere(bad)[0]
        raise ValueError(f"{where} holds {int(bad.sum()):,} NaN or infinite values (the first in example "
                         f"{int(first[0])}): fill in or remove the missing values before uploading.")


def check_same_length(x: np.ndarray, y: np.ndarray, x_name: str, y_name: str, name: str) -> None:
    if len(x) != len(y):
        raise ValueError(f"in {name}, {x_name} holds {len(x):,} examples but {y_name} holds {len(y):,} labels: "
                         "every example needs exactly one label.")


def class_indices(labels: np.ndarray, where: str) -> np.ndarray:
    """Labels as int32 class indices 0, 1, 2 …: whole numbers from 0, one per example."""
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1 or labels.dtype.kind not in "biuf":
        raise ValueError(f"{where} has shape {labels.shape} and type {labels.dtype}; labels must be one class index "
                         "per example (0, 1, 2 …); one-hot labels become indices with y.argmax(axis=1).")
    if labels.dtype.kind == "f":
        check_finite(labels, where)
    whole = labels.astype(np.int64)
    wrong = (whole != labels) | (whole < 0) | (whole >= MAX_CLASSES)
    if wrong.any():
        value = labels[np.argmax(wrong)]
        raise ValueError(f"{where} holds the label {value}, which is not a class index: labels must be whole numbers "
                         f"from 0 to {MAX_CLASSES - 1} (class 0, class 1 …); renumber them from 0.")
    return whole.astype(np.int32)


def index_names(*labels: np.ndarray) -> tuple[str, ...]:
    """Class names "0" … "k-1" for labels that are indices, k the largest label plus one."""
    return tuple(str(index) for index in range(max(int(part.max()) for part in labels) + 1))


def check_signature(data: bytes, name: str, signatures: tuple[bytes, ...], expected: str) -> None:
    if not data.startswith(signatures):
        raise ValueError(f"{name} is named like {expected} but is {what_it_is(data)}: give the file its right "
                         "name, or export the data again in the format its name says.")


def what_it_is(data: bytes) -> str:
    known = next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)
    if known is not None:
        return known
    if b"\x00" not in data[:4096]:
        return "a text file"
    start = data[:8]
    readable = start.isascii() and start.decode("ascii").isprintable()
    shown = f"“{start.decode()}”" if readable else f"the bytes {start.hex(' ')}"
    return f"a file of an unknown kind (it starts with {shown})"
