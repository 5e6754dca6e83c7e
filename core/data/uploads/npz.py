"""An `.npz` of NumPy arrays as a dataset: `x_train` and `y_train`, optionally `x_test` and `y_test`, read without
unpickling anything."""

from __future__ import annotations

import io
import zipfile
import zlib

import numpy as np

from core.data.uploads.archive_safety import (
    ZIP_SIGNATURES,
    ArchiveLimits,
    checked_entries,
    opened_zip,
)
from core.data.uploads.examples import (
    Examples,
    check_finite,
    check_same_length,
    check_signature,
    class_indices,
    index_names,
)


def npz_examples(data: bytes, name: str, limits: ArchiveLimits) -> Examples:
    """`x_train` and `y_train`, with `x_test` and `y_test` when both are there, read without unpickling anything."""
    check_signature(data, name, ZIP_SIGNATURES, "an .npz archive (as numpy.savez writes)")
    with opened_zip(data, name) as archive:
        checked_entries(archive, name, limits)
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
    check_same_length(x_train, y_train, "x_train", "y_train", name)
    x_test = y_test = None
    if has_test:
        x_test, y_test = _features(arrays["x_test"], f"x_test in {name}"), arrays["y_test"]
        check_same_length(x_test, y_test, "x_test", "y_test", name)
        if x_test.shape[1:] != x_train.shape[1:]:
            raise ValueError(f"in {name}, x_test's examples have shape {x_test.shape[1:]} but x_train's have "
                             f"{x_train.shape[1:]}: both parts must hold examples of one shape.")
    labels = [class_indices(y_train, f"y_train in {name}")]
    if y_test is not None:
        labels.append(class_indices(y_test, f"y_test in {name}"))
    class_names = index_names(*labels)
    return Examples(x_train, labels[0], x_test, labels[1] if has_test else None, class_names, "an npz of arrays")


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
        check_finite(array, where)
    return array
