"""Where runs are kept on disk: one folder per run with `run.json`, the trained `model.keras`, the latest
`checkpoints/epoch-NNNN.keras` of a run still training, and its TensorBoard scalars under `tensorboard/`.

The folder lives outside the repository (`$KERAS_LAB_HOME`, else `~/.keras-lab`), so runs survive reruns,
browser reloads and server restarts. Records and models are written to a temporary file and renamed into place,
so a process killed mid-write leaves the previous version, never half of one.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from core.settings import data_directory

RECORD_FILE = "run.json"
MODEL_FILE = "model.keras"
CHECKPOINT_FOLDER = "checkpoints"
TENSORBOARD_FOLDER = "tensorboard"
RUN_ID_PATTERN = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")
"""Run ids arrive from URLs: only this shape may name a folder. Sweeps and benchmark results are named alike."""


def new_run_id() -> str:
    """Sortable by start time and unique enough for one server: `20261123-181500-3fa9c1`."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


class RunStorage:
    """Reads and writes run folders under one root directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_directory() / "runs"

    def folder(self, run_id: str) -> Path:
        if not RUN_ID_PATTERN.fullmatch(run_id):
            raise ValueError(f"{run_id!r} is not a run id (they look like 20261123-181500-3fa9c1).")
        return self.root / run_id

    def save(self, run_id: str, record: dict[str, Any], model: Any | None) -> Path:
        """Write the run's record (and its model when there is one, first); returns the run's folder."""
        folder = self.folder(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        if model is not None:
            partial = folder / f"saving-{os.getpid()}.keras"  # Keras wants the suffix on the file it writes.
            model.save(partial)
            partial.replace(folder / MODEL_FILE)
        self.save_record(run_id, record)
        return folder

    def save_record(self, run_id: str, record: dict[str, Any], create: bool = True) -> None:
        """Write the run's record only (at each epoch, or a new name), leaving its model as it is. With `create`
        False, a run whose folder is gone (deleted in another tab) stays gone: OSError."""
        folder = self.folder(run_id)
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{RECORD_FILE}.{os.getpid()}.partial"
        partial.write_text(json.dumps(record, indent=2))
        partial.replace(folder / RECORD_FILE)

    def delete(self, run_id: str) -> None:
        shutil.rmtree(self.folder(run_id), ignore_errors=True)

    def run_ids(self) -> list[str]:
        """The ids of the runs kept here, newest first (ids sort by start time)."""
        if not self.root.is_dir():
            return []
        return sorted((path.name for path in self.root.iterdir() if RUN_ID_PATTERN.fullmatch(path.name)),
                      reverse=True)

    def model_path(self, run_id: str) -> Path | None:
        path = self.folder(run_id) / MODEL_FILE
        return path if path.exists() else None

    def checkpoint_path(self, run_id: str, epoch: int) -> Path:
        """Where the model and optimizer state after `epoch` are checkpointed (the `{epoch}` Keras fills in)."""
        return self.folder(run_id) / CHECKPOINT_FOLDER / f"epoch-{epoch:04d}.keras"

    def checkpoint_pattern(self, run_id: str) -> str:
        """`checkpoint_path` as `keras.callbacks.ModelCheckpoint` takes it, with the epoch left to fill in."""
        return str(self.folder(run_id) / CHECKPOINT_FOLDER / "epoch-{epoch:04d}.keras")

    def keep_only_checkpoint(self, run_id: str, epoch: int | None) -> None:
        """Delete every checkpoint but the one of `epoch` (all of them for None: the run saved its model)."""
        folder = self.folder(run_id) / CHECKPOINT_FOLDER
        kept = None if epoch is None else self.checkpoint_path(run_id, epoch)
        for path in folder.glob("*.keras") if folder.is_dir() else ():
            if path != kept:
                path.unlink(missing_ok=True)

    def tensorboard_folder(self, run_id: str) -> Path:
        return self.folder(run_id) / TENSORBOARD_FOLDER

    def load_record(self, run_id: str) -> dict[str, Any] | None:
        path = self.folder(run_id) / RECORD_FILE
        return json.loads(path.read_text()) if path.exists() else None

    def load_model(self, run_id: str, checkpoint_epoch: int | None = None) -> Any | None:
        """The saved Keras model of a run (or its checkpoint of `checkpoint_epoch`), with its optimizer state; None
        when the run kept none (it failed, say)."""
        path = self.folder(run_id) / MODEL_FILE if checkpoint_epoch is None else self.checkpoint_path(
            run_id, checkpoint_epoch)
        if not path.exists():
            return None
        import keras

        return keras.saving.load_model(path)
