"""Loading a user's `.keras` model file without ever running code from it.

A `.keras` file is a zip archive of `config.json` (the architecture), `metadata.json` and `model.weights.h5`.
Keras rebuilds the model from the config; in safe mode it refuses Python lambdas, and it imports classes only
from Keras itself, so a custom class it does not know is refused rather than imported. Before Keras sees the
file, this module checks the archive (size, zip bombs, paths) and refuses any Lambda layer outright, then
checks that the loaded model fits the dataset. Every refusal is a ValueError that says how to fix it.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import zipfile
import zlib
from typing import TYPE_CHECKING, Any

from core.data.uploads.archive_safety import (
    ArchiveLimits,
    expands_like_a_bomb,
    points_outside,
)
from core.number_text import readable_size
from core.settings import max_upload_bytes

if TYPE_CHECKING:
    import keras

MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""What the archive may unpack to in all. Keras stores its members uncompressed, so a genuine file unpacks to
about its own size; this leaves room for one re-zipped by another tool while bounding the memory Keras reads
the weights into. (`zipfile` never reads past a member's declared size, so the declared sizes are the bound.)
Each member is held to the uploads' zip-bomb ratio (`ArchiveLimits`): float weights barely compress."""
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
"""The first bytes of an HDF5 file, the format of old Keras's `.h5` models."""
CONFIG_NAME = "config.json"
LAMBDA_CLASS_NAMES = ("Lambda", "__lambda__")
"""How a `keras.layers.Lambda` layer and a serialized Python lambda (an activation, say) appear in the config."""
DAMAGED_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError, ValueError)
"""What `zipfile` raises for a damaged, encrypted or oddly compressed archive (found by corrupting saved files)."""
UNKNOWN_OBJECT = re.compile(r"Could not locate (class|function) '([^']+)'")
"""Keras's TypeError for a class or function it does not know, possibly quoted inside a wrapping TypeError."""
SAVE_HINT = "save the model with Keras 3 as model.save(\"name.keras\")"


def load_model_file(
    data: bytes,
    file_name: str,
    example_shape: tuple[int, ...],
    num_classes: int,
    max_bytes: int | None = None,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
) -> keras.Model:
    """The model in an uploaded `.keras` file, loaded in Keras's safe mode and checked against the dataset.

    Nothing from the file is executed: the archive is inspected before Keras opens it, and a Lambda layer or
    an unknown custom object is refused with a ValueError, as is a model that cannot take this dataset. A file
    may be as large as any upload (`max_upload_bytes`, 200 MB by default: about 50 million float32 weights, ten
    times what the builder allows) unless `max_bytes` says otherwise.
    """
    _check_file(data, file_name, max_upload_bytes() if max_bytes is None else max_bytes)
    _refuse_lambdas(_read_config(data, max_unpacked_bytes))
    model = _load_with_keras(data)
    check_model_fits(model, example_shape, num_classes)
    return model


def check_model_fits(model: keras.Model, example_shape: tuple[int, ...], num_classes: int) -> None:
    """Refuse a model that cannot take one example of the dataset, reshaped, or give one score per class."""
    input_shape = _single_shape(model, "inputs")
    output_shape = _single_shape(model, "outputs")
    if None in input_shape:
        raise ValueError(f"this model takes inputs of shape {input_shape}, with sizes left open, but each example "
                         f"of this dataset has shape {example_shape}; save the model with a fixed input shape such "
                         f"as keras.Input(shape={example_shape}).")
    if math.prod(input_shape) != math.prod(example_shape):
        raise ValueError(f"this model takes inputs of shape {input_shape} ({math.prod(input_shape)} values) but each "
                         f"example of this dataset has shape {example_shape} ({math.prod(example_shape)} values); "
                         "load a model built for this dataset.")
    if output_shape != (num_classes,) and not (num_classes == 2 and output_shape == (1,)):
        single_probability = ", or (1,) for one sigmoid probability" if num_classes == 2 else ""
        raise ValueError(f"this model gives outputs of shape {output_shape} but this dataset has {num_classes} "
                         f"classes, so it needs outputs of shape {(num_classes,)}{single_probability}; "
                         "load a model built for this dataset.")


def _check_file(data: bytes, file_name: str, max_bytes: int) -> None:
    """The checks that need only the name and the size."""
    if file_name.lower().endswith((".h5", ".hdf5")) or data.startswith(HDF5_SIGNATURE):
        raise ValueError(f"{file_name!r} is an HDF5 file: .h5 files from old Keras are not supported; load it with "
                         "the Keras that made it and re-save it with Keras 3 as model.save(\"name.keras\").")
    if not file_name.lower().endswith(".keras"):
        raise ValueError(f"{file_name!r} is not a .keras model file; {SAVE_HINT}.")
    if not data:
        raise ValueError(f"{file_name!r} is empty; {SAVE_HINT} and choose that file.")
    if len(data) > max_bytes:
        raise ValueError(f"{file_name!r} is {readable_size(len(data))}, over the {readable_size(max_bytes)} limit for "
                         "a model file; use a smaller model.")


def _read_config(data: bytes, max_unpacked_bytes: int) -> Any:
    """The archive's parsed `config.json`, once the archive has been checked to be safe to unpack."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ARCHIVE_ERRORS:
        raise ValueError("this file is not a zip archive, so it is not a .keras model file (those hold "
                         f"config.json, metadata.json and model.weights.h5); {SAVE_HINT}.") from None
    with archive:
        _check_members(archive.infolist(), max_unpacked_bytes)
        if CONFIG_NAME not in archive.namelist():
            raise ValueError(f"this zip archive has no {CONFIG_NAME}, so it is not a Keras model file; {SAVE_HINT}.")
        try:
            text = archive.read(CONFIG_NAME)
        except DAMAGED_ARCHIVE_ERRORS:
            raise ValueError(f"this file is damaged (its {CONFIG_NAME} cannot be read); {SAVE_HINT}.") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError(f"this file's {CONFIG_NAME} is not valid JSON, so the file is damaged; {SAVE_HINT}.") from None


def _check_members(members: list[zipfile.ZipInfo], max_unpacked_bytes: int) -> None:
    """Refuse paths that point outside the archive and zip bombs, by the uploads' rules, before anything is unpacked."""
    limits = ArchiveLimits(max_total_bytes=max_unpacked_bytes)
    for member in members:
        if points_outside(member.filename):
            raise ValueError(f"this archive holds an entry named {member.filename!r}, which points outside it; a "
                             ".keras file never does, so the file is refused.")
        if expands_like_a_bomb(member.file_size, member.compress_size, limits):
            raise ValueError(f"{member.filename!r} in this archive unpacks to {readable_size(member.file_size)} from "
                             f"{readable_size(member.compress_size)}: that is a zip bomb, not a model, so the file is "
                             "refused.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_total_bytes:
        raise ValueError(f"this archive unpacks to {readable_size(unpacked)}, over the "
                         f"{readable_size(limits.max_total_bytes)} limit for a model file; use a smaller model.")


def _refuse_lambdas(config: Any) -> None:
    """Refuse any Lambda layer or Python lambda in the architecture before Keras rebuilds a single layer.

    Keras's safe mode refuses a Python lambda too, but a Lambda layer wrapping a named function fails with an
    unrelated message, and `keras.config.enable_unsafe_deserialization()` anywhere in the process switches
    safe mode off even when `safe_mode=True` is passed; this check holds regardless.
    """
    pending = [config]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if item.get("class_name") in LAMBDA_CLASS_NAMES:
                raise ValueError("this model contains a Lambda layer (or a Python lambda): Lambda layers run "
                                 "arbitrary Python code, so they are never loaded; rebuild the model from Keras's "
                                 "built-in layers and save it again.")
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _load_with_keras(data: bytes) -> keras.Model:
    """Keras's safe-mode loading, from a private temporary copy (Keras reads `.keras` files by path)."""
    import keras

    descriptor, path = tempfile.mkstemp(prefix="keras-lab-upload-", suffix=".keras")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        try:
            return keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as error:  # whatever a hostile or damaged file makes Keras raise becomes a refusal
            raise ValueError(_loading_problem(error)) from None
    finally:
        os.remove(path)


def _loading_problem(error: Exception) -> str:
    """A plain message for what Keras raised while loading."""
    unknown = UNKNOWN_OBJECT.search(str(error))
    if unknown:
        kind, name = unknown.groups()
        return (f"this model uses the custom {kind} {name!r}, which Keras Lab does not know; custom objects are "
                "not loaded from a file, since that would mean running code from outside Keras; rebuild the model "
                "from Keras's built-in layers and save it again.")
    lines = str(error).strip().splitlines() or [type(error).__name__]
    reason = lines[0] if len(lines[0]) <= 300 else lines[0][:300] + "…"
    return f"Keras could not load this model ({reason}); {SAVE_HINT} and try again."


def _single_shape(model: keras.Model, which: str) -> tuple[int | None, ...]:
    """The shape, without the batch axis, of the model's only input or only output."""
    try:
        tensors = getattr(model, which)
    except AttributeError:
        raise ValueError("this model was saved before it was built, so it has no input shape; start it with "
                         "keras.Input(shape=...) and save it again.") from None
    if len(tensors) != 1:
        raise ValueError(f"this model has {len(tensors)} {which}; Keras Lab gives a model one array of examples and "
                         "reads one array of class scores back, so use a model with a single input and output.")
    return tuple(tensors[0].shape[1:])
