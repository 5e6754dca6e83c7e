"""MNIST's own format, IDX, as a dataset: an images file and a labels file (gzip-compressed or not), the test pair
(`t10k-…`) when given, one by one or in a zip."""

from __future__ import annotations

import gzip
import io
import re
import struct
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import Callable, Mapping, Sequence

import numpy as np

from core.data.uploads.archive_safety import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    check_expansion,
    entry_bytes,
)
from core.data.uploads.examples import (
    Examples,
    LoadReport,
    check_same_length,
    check_signature,
    check_upload_size,
    class_indices,
    index_names,
    report_of,
    what_it_is,
)

IDX_NAME = re.compile(r"idx[0-9]-ubyte(\.gz)?$", re.IGNORECASE)
IMAGE_DIMENSIONS, LABEL_DIMENSIONS = 3, 1
TEST_PART_NAMES = re.compile(r"t10k|test", re.IGNORECASE)
"""How MNIST and its drop-in replacements name their test files (`t10k-images-idx3-ubyte.gz`)."""


def load_idx_files(files: Sequence[tuple[bytes, str]], *, test_fraction: float = 0.2, seed: int = 0,
                   limits: ArchiveLimits = DEFAULT_LIMITS) -> LoadReport:
    """MNIST-format IDX files given one by one, in any order: train images and labels, and the test ones (`t10k-…`)
    when given; told apart by their names (`…-idx3-ubyte` images, `…-idx1-ubyte` labels), as MNIST names them."""
    for data, file_name in files:
        check_upload_size(len(data), file_name)
    contents = {file_name: lambda data=data: data for data, file_name in files}
    names = ", ".join(contents)
    examples = _idx_set_examples(contents, "the files given hold", f"MNIST-format IDX files {names}", limits)
    return report_of(examples, next(iter(contents)), test_fraction, seed)


def idx_zip_examples(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str,
                     limits: ArchiveLimits) -> Examples:
    """The train images and labels in a zip of IDX files, and the test ones (`t10k-…`) when the zip holds them."""
    files = {entry.filename: lambda entry=entry: entry_bytes(archive, entry, name) for entry in entries}
    return _idx_set_examples(files, f"{name} holds", "a zip of MNIST-format IDX files", limits)


def _idx_set_examples(files: Mapping[str, Callable[[], bytes]], holder: str, description: str,
                      limits: ArchiveLimits) -> Examples:
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
    class_names = index_names(y_train, *([] if y_test is None else [y_test]))
    return Examples(x_train, y_train, x_test, y_test, class_names, description)


def _idx_examples(images: bytes, images_name: str, labels: bytes, labels_name: str,
                  limits: ArchiveLimits) -> tuple[np.ndarray, np.ndarray]:
    x = _idx_array(images, images_name, IMAGE_DIMENSIONS, limits)
    y = class_indices(_idx_array(labels, labels_name, LABEL_DIMENSIONS, limits), labels_name)
    check_same_length(x, y, images_name, labels_name, "the IDX files")
    return x, y


def _idx_array(data: bytes, name: str, dimensions: int, limits: ArchiveLimits) -> np.ndarray:
    """An IDX file's array: magic 0x0000 08 D (unsigned bytes, D dimensions), D big-endian sizes, then the bytes."""
    if name.lower().endswith(".gz"):
        data = _gunzipped(data, name, limits)
    elif data.startswith(b"\x1f\x8b"):
        raise ValueError(f"{name} is gzip-compressed but its name does not end in .gz: name it {name}.gz.")
    if len(data) < 4 or data[:3] != b"\x00\x00\x08":
        raise ValueError(f"{name} is named like an IDX file of unsigned bytes (as MNIST's) but is "
                         f"{what_it_is(data)}: give the MNIST-format files themselves.")
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
    check_signature(data, name, (b"\x1f\x8b",), "a gzip-compressed file (.gz)")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as file:
            content = file.read(limits.max_total_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{name} is a damaged gzip file ({error}): download it again.") from None
    check_expansion(len(content), len(data), name, limits)
    return content
