"""Uploaded datasets kept on disk, so a run trained on one can be continued, compared and reopened later.

Each dataset is two files under `data_directory()/datasets`: `upload-<12 hex>.npz` with its arrays (read back with
`allow_pickle=False`) and `upload-<12 hex>.json` with its title, class names, source and word index. The name is
a hash of the content, so uploading the same file again (or a Streamlit rerun) stores it once. Files are written
to a temporary file inside the store and renamed, so a reader never sees half a dataset and nothing is written
outside the store's folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np

from core.data.dataset import UPLOADED_NAME, UPLOADED_PREFIX, Dataset
from core.settings import data_directory

ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")
DATASET_SUFFIXES = (".npz", ".json")
"""A stored dataset's two files: `<name>.npz` and `<name>.json`."""


class DatasetStore:
    """Saves, lists, loads and deletes uploaded datasets under one root folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_directory() / "datasets"

    def save(self, dataset: Dataset, title: str) -> str:
        """Keep the dataset under `title`; returns its name (`upload-` and 12 hex digits of its content's hash)."""
        record = {"title": title, "task": dataset.task, "class_names": list(dataset.class_names),
                  "source": dataset.source,
                  "word_index": dict(dataset.word_index) if dataset.word_index is not None else None}
        record_text = json.dumps(record)
        name = UPLOADED_PREFIX + _content_hash(dataset, record_text)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._replacing(self._path(name, ".npz")) as file:
            np.savez(file, **{key: np.asarray(getattr(dataset, key)) for key in ARRAY_KEYS})
        with self._replacing(self._path(name, ".json")) as file:  # Last: a listed dataset is a complete one.
            file.write(record_text.encode())
        return name

    def load(self, name: str) -> Dataset:
        record_path, arrays_path = self._path(name, ".json"), self._path(name, ".npz")
        if not record_path.exists() or not arrays_path.exists():
            raise ValueError(f"no stored dataset {name}: it was deleted or kept on another machine; upload the "
                             "file again.")
        record = json.loads(record_path.read_text())
        with np.load(arrays_path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in ARRAY_KEYS}
        for array in arrays.values():
            array.setflags(write=False)
        return Dataset(name=name, title=record["title"], task=record["task"], class_names=tuple(record["class_names"]),
                       source=record["source"], word_index=record["word_index"], **arrays)

    def list(self) -> list[tuple[str, str]]:
        """(name, title) of each stored dataset, the most recently saved first."""
        if not self.root.is_dir():
            return []
        records = [path for path in self.root.glob(f"{UPLOADED_PREFIX}*.json") if UPLOADED_NAME.fullmatch(path.stem)]
        records.sort(key=lambda path: path.stat().st_mtime, reverse=True)
        return [(path.stem, json.loads(path.read_text())["title"]) for path in records]

    def delete(self, name: str) -> None:
        for suffix in (".json", ".npz"):  # The record first: a half-deleted dataset is no longer listed.
            self._path(name, suffix).unlink(missing_ok=True)

    def _path(self, name: str, suffix: str) -> Path:
        if not isinstance(name, str) or not UPLOADED_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a stored dataset's name (they look like upload-3fa9c1d2e4b5).")
        return self.root / f"{name}{suffix}"

    @contextlib.contextmanager
    def _replacing(self, path: Path) -> Iterator:
        """A temporary file in the store that replaces `path` when the block ends without error."""
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".saving-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                yield file
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _content_hash(dataset: Dataset, record_text: str) -> str:
    digest = hashlib.sha256(record_text.encode())
    for key in ARRAY_KEYS:
        array = np.ascontiguousarray(getattr(dataset, key))
        digest.update(f"{key}{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()[:12]
