"""Your own data as a `Dataset`: an `.npz` of arrays, MNIST-format IDX files, a CSV, or a `.zip` of images.

Everything is read from bytes in memory, so an upload never touches the disk here, and every way a file can be
wrong or hostile ends in a ValueError that says what is wrong and how to fix it: too large, a zip bomb, entries
that point outside the archive or are links, the wrong content for the file's name, arrays that disagree, features
that are not numbers, labels that are not classes. Images that fail to decode are skipped and counted instead,
since one broken photo among thousands should not cost the learner the rest.

As every Keras Lab dataset, the result holds raw examples: images stay uint8 0–255 and the preset's
`input_scale` (1/255 for image presets) scales them to [0, 1] when a model trains (`core.models.inputs.prepare_inputs`).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Callable, Mapping, Sequence

import numpy as np

from core.data.catalogue import Dataset
from core.data.images import (
    JPEG_SIGNATURE,
    PNG_SIGNATURE,
    decode_image,
    resize_for_model,
)
from core.data.reviews import encode_review, words_of
from core.data.splits import stratified_split
from core.settings import MAX_UPLOAD_VARIABLE, max_upload_bytes

UPLOAD_NAME = "upload"
"""The name every loaded file's dataset gets; `DatasetStore.save` gives it its own."""

COLOUR_IMAGE_SIZE = (128, 128)
GREY_IMAGE_SIZE = (28, 28)
"""(height, width) of images when none is chosen: the cats-vs-dogs example's photos, MNIST's digits."""

MAX_IMAGE_SIDE = 1024
MAX_CLASSES = 1000
MAX_EXAMPLE_BYTES = 2**30
"""Decoded examples may take 1 GiB: 20,000 colour images of 128×128, or 1.3 million MNIST-size ones."""

TEXT_NUM_WORDS, TEXT_LENGTH = 1000, 100
"""A text is encoded as the IMDB preset reads reviews: the 1,000 most frequent words, the last 100 of them."""

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
"""Files an operating system adds to a zip on its own (with macOS's `__MACOSX/` folder): skipped, not refused."""

IDX_NAME = re.compile(r"idx[0-9]-ubyte(\.gz)?$", re.IGNORECASE)
IDX_UNSIGNED_BYTE = 0x08
IMAGE_DIMENSIONS, LABEL_DIMENSIONS = 3, 1
TEST_PART_NAMES = re.compile(r"t10k|test", re.IGNORECASE)
"""How MNIST and its drop-in replacements name their test files (`t10k-images-idx3-ubyte.gz`)."""

LABEL_COLUMN_NAMES = ("label", "labels", "class", "target", "sentiment", "category")
"""Label columns are found by these names, else the last column is the label. Not "y": x, y are often features."""
TEXT_COLUMN_NAMES = ("text", "review", "sentence", "comment", "content")

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
class ArchiveLimits:
    """How far a compressed file may expand: a zip bomb is a small file that unpacks into gigabytes."""

    max_total_bytes: int = 2**30
    max_ratio: float = 100.0
    """Photos and PNGs hardly compress and MNIST's IDX files shrink about 5 times; bombs shrink thousands of times."""
    ratio_floor_bytes: int = 2**20
    """Entries smaller than this are never bombs, however well they compress (a CSV of zeros, say)."""
    max_entries: int = 100_000


DEFAULT_LIMITS = ArchiveLimits()


@dataclass(frozen=True)
class LoadReport:
    """A loaded file's dataset, how many images could not be decoded, and what was done to the data to fit."""

    dataset: Dataset
    skipped: int = 0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Examples:
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
        raise ValueError(f"{file_name} is {_size(byte_count)}, more than the {_size(limit)} Keras Lab accepts: "
                         f"upload a smaller sample, or raise the limit with {MAX_UPLOAD_VARIABLE}.")


def load_data_file(data: bytes, file_name: str, *, image_size: tuple[int, int] | None = None,
                   grey: bool | None = None, test_fraction: float = 0.2, seed: int = 0,
                   label_column: str | None = None, text_column: str | None = None,
                   limits: ArchiveLimits = DEFAULT_LIMITS) -> LoadReport:
    """The dataset in one file, read by the loader its name calls for, after checking the content fits the name.

    `image_size` (height, width) and `grey` apply to a zip of images (default: grey 28×28 when every image is grey,
    else colour 128×128); `label_column` and `text_column` to a CSV. Data without a test part is split, stratified,
    holding out `test_fraction` with `seed`.
    """
    name = PurePosixPath(file_name.replace("\\", "/")).name or "the file"
    check_upload_size(len(data), name)
    lower = name.lower()
    if IDX_NAME.search(lower):
        raise ValueError(f"{name} is one IDX file; a dataset needs its images and its labels: give both files "
                         "(images first), or a zip that holds them.")
    if lower.endswith(".npz"):
        examples = _npz_examples(data, name, limits)
    elif lower.endswith(".csv"):
        examples = _csv_examples(data, name, label_column, text_column, test_fraction, seed)
    elif lower.endswith(".zip"):
        examples = _zip_examples(data, name, image_size, grey, limits)
    else:
        raise ValueError(f"{name}: Keras Lab reads .npz arrays, .csv tables, .zip files of images (or of IDX files) "
                         "and MNIST-format IDX files (name-idx3-ubyte.gz with name-idx1-ubyte.gz); save your data "
                         "as one of these.")
    return _report(examples, name, test_fraction, seed)


def _report(examples: _Examples, name: str, test_fraction: float, seed: int) -> LoadReport:
    """The common end of every loader: at least two classes, a test part (split off when missing), a Dataset."""
    _check_two_classes(examples.y_train, examples.class_names, name)
    x_train, y_train, x_test, y_test = examples.x_train, examples.y_train, examples.x_test, examples.y_test
    notes = list(examples.notes)
    if x_test is None or y_test is None:
        train, test, note = _held_out(y_train, test_fraction, seed)
        x_train, y_train, x_test, y_test = x_train[train], y_train[train], x_train[test], y_train[test]
        notes.append(note)
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # Shared by every session of a server, like the built-in datasets.
    dataset = Dataset(name=UPLOAD_NAME, title=PurePosixPath(name).stem.split(".")[0] or name, task="classification",
                      x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
                      class_names=examples.class_names, source=f"your file {name}: {examples.description}",
                      word_index=examples.word_index)
    return LoadReport(dataset, examples.skipped, tuple(notes))


def _held_out(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    train, test = stratified_split(labels, test_fraction, seed)
    return train, test, f"no test part: {test_fraction:.0%} held out, stratified, seed {seed}"


def _check_two_classes(labels: np.ndarray, class_names: tuple[str, ...], name: str) -> None:
    present = np.unique(labels)
    if len(present) < 2:
        only = class_names[int(present[0])] if len(present) else "none"
        raise ValueError(f"{name} holds a single class ({only!r}) in its training examples: a classifier learns to "
                         "tell classes apart, so add examples of at least one other class.")


# --- npz --------------------------------------------------------------------------------------------------------


def _npz_examples(data: bytes, name: str, limits: ArchiveLimits) -> _Examples:
    """`x_train` and `y_train`, with `x_test` and `y_test` when both are there, read without unpickling anything."""
    _check_signature(data, name, (b"PK\x03\x04", b"PK\x05\x06"), "an .npz archive (as numpy.savez writes)")
    with _opened_zip(data, name) as archive:
        _checked_entries(archive, name, limits)
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"{name} cannot be read as an .npz archive ({error}): save it again with numpy.savez.")
    with archive:
        keys = set(archive.files)
        if not {"x_train", "y_train"} <= keys:
            raise ValueError(f"{name} holds the arrays {sorted(keys)}; Keras Lab needs x_train and y_train (and "
                             "optionally x_test and y_test): save them under these names, np.savez(file, "
                             "x_train=..., y_train=...).")
        has_test = {"x_test", "y_test"} & keys
        if has_test and has_test != {"x_test", "y_test"}:
            raise ValueError(f"{name} holds {has_test.pop()} without its partner: save both x_test and y_test, "
                             "or neither (then a test part is split off).")
        arrays = {key: _npz_array(archive, key, name) for key in ("x_train", "y_train", "x_test", "y_test")
                  if key in keys}
    x_train, y_train = _features(arrays["x_train"], f"x_train in {name}"), arrays["y_train"]
    _check_same_length(x_train, y_train, "x_train", "y_train", name)
    x_test = y_test = None
    if has_test:
        x_test, y_test = _features(arrays["x_test"], f"x_test in {name}"), arrays["y_test"]
        _check_same_length(x_test, y_test, "x_test", "y_test", name)
        if x_test.shape[1:] != x_train.shape[1:]:
            raise ValueError(f"in {name}, x_test's examples have shape {x_test.shape[1:]} but x_train's have "
                             f"{x_train.shape[1:]}: both parts must hold examples of one shape.")
    labels = [_class_indices(y_train, f"y_train in {name}")]
    if y_test is not None:
        labels.append(_class_indices(y_test, f"y_test in {name}"))
    class_names = _index_names(*labels)
    return _Examples(x_train, labels[0], x_test, labels[1] if has_test else None, class_names, "an npz of arrays")


def _npz_array(archive, key: str, name: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(f"{key} in {name} holds Python objects, which are stored pickled; Keras Lab never "
                             "unpickles an upload, as that can run any code. Save plain numeric arrays instead "
                             "(np.asarray(values, dtype=np.float32)).") from None
        raise ValueError(f"{key} in {name} cannot be read ({error}): save the file again with numpy.savez.") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(f"{key} in {name} is damaged ({error}): save the file again with numpy.savez.") from None


def _features(array: np.ndarray, where: str) -> np.ndarray:
    """The examples as numbers, one row per example, none of them NaN or infinite."""
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{where} holds {array.dtype} values, not numbers: examples must be numeric arrays "
                         "(pixels, measurements), so convert them first.")
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{where} has shape {array.shape}; it must hold one row per example, shape (examples, "
                         "features) or (examples, height, width[, channels]), with at least one example.")
    if array.dtype.kind == "b":
        return array.astype(np.uint8)
    if array.dtype.kind == "f":
        array = array.astype(np.float32, copy=False)
        _check_finite(array, where)
    return array


def _check_finite(array: np.ndarray, where: str) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        first = np.argwhere(bad)[0]
        raise ValueError(f"{where} holds {int(bad.sum()):,} NaN or infinite values (the first in example "
                         f"{int(first[0])}): fill in or remove the missing values before uploading.")


def _check_same_length(x: np.ndarray, y: np.ndarray, x_name: str, y_name: str, name: str) -> None:
    if len(x) != len(y):
        raise ValueError(f"in {name}, {x_name} holds {len(x):,} examples but {y_name} holds {len(y):,} labels: "
                         "every example needs exactly one label.")


def _class_indices(labels: np.ndarray, where: str) -> np.ndarray:
    """Labels as int32 class indices 0, 1, 2 …: whole numbers from 0, one per example."""
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1 or labels.dtype.kind not in "biuf":
        raise ValueError(f"{where} has shape {labels.shape} and type {labels.dtype}; labels must be one class index "
                         "per example (0, 1, 2 …); one-hot labels become indices with y.argmax(axis=1).")
    if labels.dtype.kind == "f":
        _check_finite(labels, where)
    whole = labels.astype(np.int64)
    wrong = (whole != labels) | (whole < 0) | (whole >= MAX_CLASSES)
    if wrong.any():
        value = labels[np.argmax(wrong)]
        raise ValueError(f"{where} holds the label {value}, which is not a class index: labels must be whole numbers "
                         f"from 0 to {MAX_CLASSES - 1} (class 0, class 1 …); renumber them from 0.")
    return whole.astype(np.int32)


def _index_names(*labels: np.ndarray) -> tuple[str, ...]:
    """Class names "0" … "k-1" for labels that are indices, k the largest label plus one."""
    return tuple(str(index) for index in range(max(int(part.max()) for part in labels) + 1))


# --- IDX (MNIST's format) ---------------------------------------------------------------------------------------


def _idx_examples(images: bytes, images_name: str, labels: bytes, labels_name: str,
                  limits: ArchiveLimits) -> tuple[np.ndarray, np.ndarray]:
    x = _idx_array(images, images_name, IMAGE_DIMENSIONS, limits)
    y = _class_indices(_idx_array(labels, labels_name, LABEL_DIMENSIONS, limits), labels_name)
    _check_same_length(x, y, images_name, labels_name, "the IDX files")
    return x, y


def _idx_array(data: bytes, name: str, dimensions: int, limits: ArchiveLimits) -> np.ndarray:
    """An IDX file's array: magic 0x0000 08 D (unsigned bytes, D dimensions), D big-endian sizes, then the bytes."""
    if name.lower().endswith(".gz"):
        data = _gunzipped(data, name, limits)
    elif data.startswith(b"\x1f\x8b"):
        raise ValueError(f"{name} is gzip-compressed but its name does not end in .gz: name it {name}.gz.")
    if len(data) < 4 or data[:3] != b"\x00\x00\x08":
        raise ValueError(f"{name} is named like an IDX file of unsigned bytes (as MNIST's) but is "
                         f"{_what_it_is(data)}: give the MNIST-format files themselves.")
    kind = {IMAGE_DIMENSIONS: "images", LABEL_DIMENSIONS: "labels"}
    if data[3] != dimensions:
        found = kind.get(data[3], f"a {data[3]}-dimensional array")
        raise ValueError(f"{name} holds {found} (an IDX file of {data[3]} dimension{'s' * (data[3] != 1)}) but its "
                         f"name says {kind[dimensions]}: MNIST names its images …-idx3-ubyte and its labels "
                         "…-idx1-ubyte; give each file its own name.")
    header_end = 4 + 4 * dimensions
    if len(data) < header_end:
        raise ValueError(f"{name} is cut short inside its header: download it again.")
    shape = struct.unpack(f">{dimensions}I", data[4:header_end])
    expected = int(np.prod(shape, dtype=np.int64))
    if len(data) - header_end != expected:
        raise ValueError(f"{name}'s header announces {' × '.join(map(str, shape))} = {expected:,} bytes but "
                         f"{len(data) - header_end:,} follow it: the file is cut short or damaged; download it again.")
    return np.frombuffer(data, dtype=np.uint8, offset=header_end).reshape(shape)


def _gunzipped(data: bytes, name: str, limits: ArchiveLimits) -> bytes:
    """A .gz file's content, read no further than the size limit, so a gzip bomb stops early."""
    _check_signature(data, name, (b"\x1f\x8b",), "a gzip-compressed file (.gz)")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as file:
            content = file.read(limits.max_total_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{name} is a damaged gzip file ({error}): download it again.") from None
    _check_expansion(len(content), len(data), name, limits)
    return content


def _idx_zip_examples(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str,
                      limits: ArchiveLimits) -> _Examples:
    """The train images and labels in a zip of IDX files, and the test ones (`t10k-…`) when the zip holds them."""
    files = {entry.filename: lambda entry=entry: _entry_bytes(archive, entry, name) for entry in entries}
    return _idx_set_examples(files, f"{name} holds", "a zip of MNIST-format IDX files", limits)


def load_idx_files(files: Sequence[tuple[bytes, str]], *, test_fraction: float = 0.2, seed: int = 0,
                   limits: ArchiveLimits = DEFAULT_LIMITS) -> LoadReport:
    """MNIST-format IDX files given one by one, in any order: train images and labels, and the test ones (`t10k-…`)
    when given; told apart by their names (`…-idx3-ubyte` images, `…-idx1-ubyte` labels), as MNIST names them."""
    for data, file_name in files:
        check_upload_size(len(data), file_name)
    contents = {file_name: lambda data=data: data for data, file_name in files}
    names = ", ".join(contents)
    examples = _idx_set_examples(contents, "the files given hold", f"MNIST-format IDX files {names}", limits)
    return _report(examples, next(iter(contents)), test_fraction, seed)


def _idx_set_examples(files: Mapping[str, Callable[[], bytes]], holder: str, description: str,
                      limits: ArchiveLimits) -> _Examples:
    """The dataset in a set of IDX files (by file name, each read when needed): its train part, and its test part
    when both test files are there. `holder` begins the messages ("mnist.zip holds")."""
    parts: dict[tuple[bool, int], str] = {}
    for path in files:
        file_name = PurePosixPath(path).name
        is_test = bool(TEST_PART_NAMES.search(file_name))
        dimensions = LABEL_DIMENSIONS if "idx1" in file_name.lower() else IMAGE_DIMENSIONS
        if (is_test, dimensions) in parts:
            raise ValueError(f"{holder} two IDX {'test' if is_test else 'train'} files of one kind "
                             f"({parts[is_test, dimensions]}, {path}): keep one of each.")
        parts[is_test, dimensions] = path
    found = {(False, IMAGE_DIMENSIONS), (False, LABEL_DIMENSIONS)}
    if not found <= parts.keys() or len(parts) == 3:
        raise ValueError(f"{holder} the IDX files {', '.join(files)}; a dataset needs the train images "
                         "(…-idx3-ubyte) and labels (…-idx1-ubyte), and the test ones (t10k-…) with both or neither.")

    def pair(is_test: bool) -> tuple[np.ndarray, np.ndarray]:
        images, labels = parts[is_test, IMAGE_DIMENSIONS], parts[is_test, LABEL_DIMENSIONS]
        return _idx_examples(files[images](), images, files[labels](), labels, limits)

    x_train, y_train = pair(False)
    x_test, y_test = pair(True) if len(parts) == 4 else (None, None)
    if x_test is not None and x_test.shape[1:] != x_train.shape[1:]:
        raise ValueError(f"the test images are {x_test.shape[1:]} and the train images {x_train.shape[1:]}: both "
                         "parts must hold images of one size.")
    class_names = _index_names(y_train, *([] if y_test is None else [y_test]))
    return _Examples(x_train, y_train, x_test, y_test, class_names, description)


# --- CSV --------------------------------------------------------------------------------------------------------


def _csv_examples(data: bytes, name: str, label_column: str | None, text_column: str | None, test_fraction: float,
                  seed: int) -> _Examples:
    """Numeric feature columns and a label column, or a text column and a label column (sentiment)."""
    header, rows = _csv_rows(data, name)
    label_index = _column_index(header, label_column, LABEL_COLUMN_NAMES, len(header) - 1, name)
    labels, class_names = _csv_labels([row[label_index] for _, row in rows], header[label_index], rows, name)
    others = [index for index in range(len(header)) if index != label_index]
    if not others:
        raise ValueError(f"{name} has a single column: a CSV needs feature columns (or a text column) and a label "
                         "column, separated by commas (a spreadsheet that wrote semicolons: save it as CSV again).")
    text_index = _text_column_index(header, rows, text_column, others, name)
    if text_index is not None:
        texts = [row[text_index] for _, row in rows]
        _check_two_classes(labels, class_names, name)
        return _text_examples(texts, [line for line, _ in rows], labels, class_names, header[text_index],
                              test_fraction, seed, name)
    features = _numeric_columns(rows, others, header, name)
    return _Examples(features, labels, None, None, class_names,
                     f"a CSV of {len(others)} numeric feature{'s' if len(others) > 1 else ''} and the label "
                     f"column {header[label_index]!r}")


def _csv_rows(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line number, cells) of each non-blank row, every row as long as the header."""
    if b"\x00" in data[:4096] or any(data.startswith(signature) for signature, _ in SIGNATURES):
        raise ValueError(f"{name} is named like a CSV table but is {_what_it_is(data)}: give the CSV file itself.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name} is not UTF-8 text (byte {error.start} is {data[error.start:error.start + 1]!r}): "
                         "save the table as 'CSV UTF-8' from your spreadsheet.") from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ValueError(f"{name} is not a well-formed CSV table (line {reader.line_num}: {error}).") from None
    if len(rows) < 2:
        raise ValueError(f"{name} holds no rows under a header: a CSV needs a header line naming its columns, then "
                         "one line per example.")
    (_, header), body = rows[0], rows[1:]
    header = [cell.strip() for cell in header]
    for line, row in body:
        if len(row) != len(header):
            raise ValueError(f"line {line} of {name} holds {len(row)} values but the header names {len(header)} "
                             "columns: every row needs one value per column.")
    return header, body


def _column_index(header: list[str], wanted: str | None, usual_names: tuple[str, ...], default: int | None,
                  name: str) -> int | None:
    """The column called `wanted`; else the first with one of the usual names; else `default`."""
    folded = [column.casefold() for column in header]
    if wanted is not None:
        if wanted.casefold() not in folded:
            raise ValueError(f"{name} has no column {wanted!r}; its columns are {', '.join(header)}.")
        return folded.index(wanted.casefold())
    return next((folded.index(usual) for usual in usual_names if usual in folded), default)


def _text_column_index(header: list[str], rows: list[tuple[int, list[str]]], text_column: str | None,
                       others: list[int], name: str) -> int | None:
    """The text column of a sentiment CSV: the one asked for, else a non-numeric column named like text (review,
    sentence …) or standing alone beside the labels; None for a CSV of numeric features."""
    if text_column is not None:
        return _column_index(header, text_column, (), None, name)
    named = _column_index(header, None, TEXT_COLUMN_NAMES, None, name)
    candidate = named if named in others else others[0] if len(others) == 1 else None
    if candidate is not None and not all(_is_number(row[candidate]) for _, row in rows):
        return candidate
    return None


def _csv_labels(values: list[str], column: str, rows: list[tuple[int, list[str]]],
                name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each row's class index and the class names, in sorted order (numerically when the labels are numbers)."""
    values = [value.strip() for value in values]
    if "" in values:
        line = rows[values.index("")][0]
        raise ValueError(f"line {line} of {name} has no label in column {column!r}: give every row its class.")
    if all(_is_number(value) for value in values):
        numbers = np.array([float(value) for value in values])
        if not np.all(np.isfinite(numbers) & (numbers == np.round(numbers))):
            bad = values[int(np.argmax(~(np.isfinite(numbers) & (numbers == np.round(numbers)))))]
            raise ValueError(f"the label column {column!r} of {name} holds {bad}, which is not a class: Keras Lab "
                             "classifies, so labels must be class names or whole numbers (0, 1, 2 …).")
        values = [str(int(number)) for number in numbers]
        class_names = tuple(str(number) for number in sorted({int(number) for number in numbers}))
    else:
        class_names = tuple(sorted(set(values)))
    if len(class_names) > MAX_CLASSES:
        raise ValueError(f"the label column {column!r} of {name} holds {len(class_names):,} different values, more "
                         f"than the {MAX_CLASSES} classes Keras Lab trains: is it the right column? Name the label "
                         "column, or keep fewer classes.")
    index = {class_name: position for position, class_name in enumerate(class_names)}
    return np.array([index[value] for value in values], dtype=np.int32), class_names


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numeric_columns(rows: list[tuple[int, list[str]]], columns: list[int], header: list[str],
                     name: str) -> np.ndarray:
    """The feature columns as float32, or a message naming the first cell that is not a finite number."""
    for line, row in rows:
        for column in columns:
            cell = row[column].strip()
            if not _is_number(cell):
                raise ValueError(f"line {line} of {name} holds {cell!r} in column {header[column]!r}, which is not a "
                                 "number: feature columns must hold numbers (for a text and a label, give a CSV of "
                                 "those two columns).")
            if not np.isfinite(float(cell)):
                raise ValueError(f"line {line} of {name} holds {cell!r} in column {header[column]!r}: features "
                                 "must be finite numbers, so fill in or remove missing (NaN) values.")
    return np.array([[float(row[column]) for column in columns] for _, row in rows], dtype=np.float32)


def _text_examples(texts: list[str], lines: list[int], labels: np.ndarray, class_names: tuple[str, ...], column: str,
                   test_fraction: float, seed: int, name: str) -> _Examples:
    """Texts encoded as `keras.datasets.imdb` encodes reviews, with a word index built from the training texts.

    The split comes first so that the test texts' words do not pick the vocabulary, as in IMDB.
    """
    for text, line in zip(texts, lines):
        if not words_of(text):
            raise ValueError(f"line {line} of {name} has no words in column {column!r}: remove the row or fill it.")
    train, test, note = _held_out(labels, test_fraction, seed)
    counts = Counter(word for index in train for word in words_of(texts[index]))
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    word_index = {word: rank for rank, word in enumerate(ranked, start=1)}
    encoded = np.stack([encode_review(text, word_index, TEXT_NUM_WORDS, TEXT_LENGTH).indices for text in texts])
    return _Examples(encoded[train], labels[train], encoded[test], labels[test], class_names,
                     f"a CSV of texts (column {column!r}) and labels", notes=(
                         f"texts encoded as keras.datasets.imdb encodes reviews: the last {TEXT_LENGTH} words, "
                         f"the {TEXT_NUM_WORDS:,} most frequent of the training texts' {len(word_index):,}", note),
                     word_index=word_index)


# --- zip archives -----------------------------------------------------------------------------------------------


def _zip_examples(data: bytes, name: str, image_size: tuple[int, int] | None, grey: bool | None,
                  limits: ArchiveLimits) -> _Examples:
    """A zip of MNIST-format IDX files, or of PNG and JPEG images in class folders or named class.number.jpg."""
    _check_signature(data, name, (b"PK\x03\x04", b"PK\x05\x06"), "a zip archive")
    with _opened_zip(data, name) as archive:
        entries = [entry for entry in _checked_entries(archive, name, limits) if not _is_system_file(entry.filename)]
        idx_entries = [entry for entry in entries if IDX_NAME.search(entry.filename)]
        if idx_entries:
            return _idx_zip_examples(archive, idx_entries, name, limits)
        return _image_zip_examples(archive, entries, name, image_size, grey)


def _opened_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValueError(f"{name} is a damaged zip archive ({error}): create it again.") from None


def _checked_entries(archive: zipfile.ZipFile, name: str, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The archive's files, after refusing links, entries that point outside it, encryption and zip bombs.

    Nothing is ever extracted to disk, but an archive made to escape its folder is hostile, so it is refused.
    """
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise ValueError(f"{name} holds {len(entries):,} entries, more than the {limits.max_entries:,} Keras Lab "
                         "reads: upload a sample of it.")
    total = 0
    for entry in entries:
        _check_entry(entry, name, limits)
        total += entry.file_size
        if total > limits.max_total_bytes:
            raise ValueError(f"{name} unpacks to more than {_size(limits.max_total_bytes)}, the most Keras Lab "
                             "unpacks (a zip bomb, or simply too much data): upload a smaller sample.")
    return [entry for entry in entries if not entry.is_dir()]


def _check_entry(entry: zipfile.ZipInfo, name: str, limits: ArchiveLimits) -> None:
    path = entry.filename
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or PureWindowsPath(path).drive or ".." in parts:
        raise ValueError(f"{name} holds the entry {path!r}, which points outside the archive (an absolute path or "
                         "'..'): Keras Lab refuses such archives; zip the folder again from inside it.")
    if (entry.external_attr >> 16) & 0o170000 == 0o120000:
        raise ValueError(f"{name} holds {path!r}, a symbolic link: Keras Lab refuses links in an archive; zip the "
                         "files themselves (zip without --symlinks).")
    if entry.flag_bits & 0x1:
        raise ValueError(f"{name} is password-protected ({path!r} is encrypted): zip the files without a password.")
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"{name} compresses {path!r} with method {entry.compress_type}; Keras Lab reads stored or "
                         "deflated entries, which every zip tool writes by default: zip it again with the defaults.")
    _check_expansion(entry.file_size, entry.compress_size, f"{path!r} in {name}", limits)


def _check_expansion(unpacked: int, packed: int, what: str, limits: ArchiveLimits) -> None:
    if unpacked > limits.max_total_bytes:
        raise ValueError(f"{what} unpacks to more than {_size(limits.max_total_bytes)}, the most Keras Lab unpacks "
                         "(a zip bomb, or simply too much data): upload a smaller sample.")
    if unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1):
        raise ValueError(f"{what} unpacks from {_size(packed)} to {_size(unpacked)}, more than {limits.max_ratio:g} "
                         "times its size: that is how a zip bomb looks, not real data, so Keras Lab refuses it.")


def _entry_bytes(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> bytes:
    """An entry's content, no longer than its checked size (zipfile stops there) and its checksum verified."""
    try:
        return archive.read(entry)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{entry.filename!r} in {name} is damaged ({error}): create the zip again.") from None


def _is_system_file(path: str) -> bool:
    return path.startswith("__MACOSX/") or PurePosixPath(path).name.casefold() in SYSTEM_FILES


def _image_zip_examples(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str,
                        image_size: tuple[int, int] | None, grey: bool | None) -> _Examples:
    """Images decoded with OpenCV, resized, as uint8 0–255 (the preset's `input_scale` makes them [0, 1])."""
    others = [entry.filename for entry in entries if not entry.filename.lower().endswith(IMAGE_SUFFIXES)]
    if others:
        raise ValueError(f"{name} holds {len(others)} file{'s' if len(others) > 1 else ''} that "
                         f"{'are' if len(others) > 1 else 'is'} not PNG or JPEG images, such as {others[0]!r}: an "
                         "image zip holds only .png and .jpg images; remove the others and zip it again.")
    if not entries:
        raise ValueError(f"{name} holds no images: zip a folder of .png or .jpg images, one sub-folder per class.")
    _check_image_size(image_size)
    working_size = image_size or COLOUR_IMAGE_SIZE
    _check_memory(len(entries), working_size, name)
    classes, how = _image_classes([entry.filename for entry in entries], name)
    images, kept, skipped_names, original_sizes = [], [], [], []
    for position, entry in enumerate(entries):
        try:
            image = decode_image(_entry_bytes(archive, entry, name), entry.filename)
        except ValueError:
            skipped_names.append(entry.filename)
            continue
        original_sizes.append(image.shape[:2])
        images.append(resize_for_model(image, working_size if image.ndim == 2 else (*working_size, 3)))
        kept.append(position)
    if not images:
        raise ValueError(f"none of the {len(entries)} images in {name} could be decoded (such as "
                         f"{skipped_names[0]!r}): they are damaged or not really PNG or JPEG; export them again.")
    grey = all(image.ndim == 2 for image in images) if grey is None else grey
    size = image_size or (GREY_IMAGE_SIZE if grey else COLOUR_IMAGE_SIZE)
    shape = size if grey else (*size, 3)
    x = np.stack([resize_for_model(image, shape) for image in images])
    notes = _image_notes(original_sizes, size, grey, skipped_names)
    class_names = tuple(sorted({classes[position] for position in kept}))
    index = {class_name: number for number, class_name in enumerate(class_names)}
    y = np.array([index[classes[position]] for position in kept], dtype=np.int32)
    description = (f"a zip of {len(images):,} {'grey' if grey else 'colour'} images, classes from {how}, resized "
                   f"to {size[0]}×{size[1]}")
    if _has_declared_parts(entries):
        test_flags = np.array([_declared_test(entries[position].filename) for position in kept])
        return _Examples(x[~test_flags], y[~test_flags], x[test_flags], y[test_flags], class_names, description,
                         len(skipped_names), (*notes, "train and test parts from the zip's train/ and test/ folders"))
    return _Examples(x, y, None, None, class_names, description, len(skipped_names), notes)


def _check_image_size(image_size: tuple[int, int] | None) -> None:
    if image_size is not None and (len(image_size) != 2 or not all(
            isinstance(side, (int, np.integer)) and 1 <= side <= MAX_IMAGE_SIDE for side in image_size)):
        raise ValueError(f"an image size is (height, width), each from 1 to {MAX_IMAGE_SIDE} pixels, got "
                         f"{image_size}; 128×128 suits colour photos, 28×28 grey digits.")


def _check_memory(image_count: int, size: tuple[int, int], name: str) -> None:
    needed = image_count * size[0] * size[1] * 3
    if needed > MAX_EXAMPLE_BYTES:
        raise ValueError(f"{image_count:,} images of {size[0]}×{size[1]} in {name} would take {_size(needed)} of "
                         f"memory, more than {_size(MAX_EXAMPLE_BYTES)}: choose a smaller size or fewer images.")


def _image_classes(paths: list[str], name: str) -> tuple[list[str], str]:
    """Each image's class: its folder when the images lie in two folders or more, else its name's prefix (cat.1.jpg).

    A train/ or test/ folder at the top only says which part an image belongs to, so it is looked through.
    """
    folders = [PurePosixPath(path).parent for path in paths]
    class_folders = [_without_part_folder(folder) for folder in folders]
    if len({folder.name for folder in class_folders}) >= 2:
        return [folder.name for folder in class_folders], "sub-folder names"
    prefixes = [PurePosixPath(path).name.split(".")[0] for path in paths]
    if len(set(prefixes)) == len(prefixes) > 2:
        raise ValueError(f"cannot tell the classes of the images in {name}: put each class in its own folder "
                         "(cat/1.jpg, dog/1.jpg) or start each file name with its class (cat.1.jpg, dog.1.jpg).")
    return prefixes, "file-name prefixes"


def _without_part_folder(folder: PurePosixPath) -> PurePosixPath:
    parts = folder.parts
    return PurePosixPath(*parts[1:]) if parts and parts[0].casefold() in ("train", "test") else folder


def _declared_test(path: str) -> bool:
    return PurePosixPath(path).parts[0].casefold() == "test"


def _has_declared_parts(entries: list[zipfile.ZipInfo]) -> bool:
    """Whether every image lies under a top train/ or test/ folder, both of them present."""
    tops = {PurePosixPath(entry.filename).parts[0].casefold() for entry in entries}
    return tops == {"train", "test"}


def _image_notes(original_sizes: list[tuple[int, ...]], size: tuple[int, int], grey: bool,
                 skipped_names: list[str]) -> tuple[str, ...]:
    notes = []
    resized = sum(original != tuple(size) for original in original_sizes)
    if resized:
        notes.append(f"{resized:,} image{'s' if resized > 1 else ''} of other sizes resized to {size[0]}×{size[1]}")
    notes.append(f"kept as {'grey' if grey else 'colour'}, raw 0–255 pixels: the preset scales them to [0, 1]")
    if skipped_names:
        shown = ", ".join(skipped_names[:3]) + (" …" if len(skipped_names) > 3 else "")
        notes.append(f"{len(skipped_names):,} image{'s' if len(skipped_names) > 1 else ''} could not be decoded and "
                     f"{'were' if len(skipped_names) > 1 else 'was'} skipped: {shown}")
    return tuple(notes)


# --- shared -----------------------------------------------------------------------------------------------------


def _check_signature(data: bytes, name: str, signatures: tuple[bytes, ...], expected: str) -> None:
    if not data.startswith(signatures):
        raise ValueError(f"{name} is named like {expected} but is {_what_it_is(data)}: give the file its right "
                         "name, or export the data again in the format its name says.")


def _what_it_is(data: bytes) -> str:
    known = next((kind for signature, kind in SIGNATURES if data.startswith(signature)), None)
    if known is not None:
        return known
    if b"\x00" not in data[:4096]:
        return "a text file"
    start = data[:8]
    readable = start.isascii() and start.decode("ascii").isprintable()
    shown = f"“{start.decode()}”" if readable else f"the bytes {start.hex(' ')}"
    return f"a file of an unknown kind (it starts with {shown})"


def _size(byte_count: int) -> str:
    if byte_count >= 2**30:
        return f"{byte_count / 2**30:.1f} GB"
    if byte_count >= 2**20:
        return f"{byte_count / 2**20:.1f} MB"
    return f"{byte_count / 2**10:.1f} KB"
