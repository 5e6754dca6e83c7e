"""Where finished runs are kept on disk: one folder per run with `run.json` and the trained `model.keras`.

The folder lives outside the repository (`$KERAS_LAB_HOME`, else `~/.keras-lab`), so runs survive reruns,
browser reloads and server restarts.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from core.settings import data_directory

RECORD_FILE = "run.json"
MODEL_FILE = "model.keras"
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
        """Write the run's record (and its model when there is one); returns the run's folder."""
        folder = self.folder(run_id)
        folder.mkdir(parents=True, exist_ok=True)
        if model is not None:
            model.save(folder / MODEL_FILE)
        (folder / RECORD_FILE).write_text(json.dumps(record, indent=2))
        return folder

    def save_record(self, run_id: str, record: dict[str, Any]) -> None:
        """Rewrite a saved run's record only (a new name, say), leaving its model as it is."""
        (self.folder(run_id) / RECORD_FILE).write_text(json.dumps(record, indent=2))

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

    def load_record(self, run_id: str) -> dict[str, Any] | None:
        path = self.folder(run_id) / RECORD_FILE
        return json.loads(path.read_text()) if path.exists() else None

    def load_model(self, run_id: str) -> Any | None:
        """The saved Keras model of a run, or None when the run kept none (it failed, say)."""
        path = self.folder(run_id) / MODEL_FILE
        if not path.exists():
            return None
        import keras

        return keras.saving.load_model(path)
