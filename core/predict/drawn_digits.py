"""A visitor's own test set: digits they drew, with the labels they gave, kept on disk between visits.

Each visitor has one `.npz` file under the data directory (`drawings/<visitor>.npz`) holding the 28×28 digits
as the model sees them (after the MNIST-style preprocessing) and their labels.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np

from core.settings import data_directory

DIGIT_SHAPE = (28, 28)
MAX_DRAWINGS = 500
"""Enough for a personal test set; keeps one visitor's file small on a shared server."""
OWNER_PATTERN = re.compile(r"[0-9a-z-]{1,64}")


class DrawnDigits:
    """Reads and writes the visitors' drawn digits under one folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else data_directory() / "drawings"
        self._lock = threading.Lock()

    def load(self, owner: str) -> tuple[np.ndarray, np.ndarray]:
        """The owner's digits (N, 28, 28) uint8 and labels (N,); empty arrays when they have drawn none yet."""
        path = self._path(owner)
        if not path.exists():
            return np.zeros((0, *DIGIT_SHAPE), dtype=np.uint8), np.zeros(0, dtype=np.uint8)
        with np.load(path, allow_pickle=False) as archive:
            return archive["x"], archive["y"]

    def add(self, owner: str, digit: np.ndarray, label: int) -> int:
        """Keep one more digit with its label; returns how many the owner has now."""
        if digit.shape != DIGIT_SHAPE:
            raise ValueError(f"a drawn digit is a {DIGIT_SHAPE[0]}×{DIGIT_SHAPE[1]} image, got shape {digit.shape}.")
        if not 0 <= label <= 9:
            raise ValueError(f"a digit's label is 0 to 9, got {label}.")
        with self._lock:
            digits, labels = self.load(owner)
            if len(digits) >= MAX_DRAWINGS:
                raise ValueError(f"your test set is full ({MAX_DRAWINGS} drawings): clear it to start another.")
            digits = np.concatenate([digits, digit.astype(np.uint8)[np.newaxis]])
            labels = np.append(labels, np.uint8(label))
            self._write(owner, digits, labels)
            return len(labels)

    def remove_last(self, owner: str) -> int:
        """Take back the latest drawing (a wrong label, say); returns how many are left."""
        with self._lock:
            digits, labels = self.load(owner)
            if len(labels):
                self._write(owner, digits[:-1], labels[:-1])
            return max(len(labels) - 1, 0)

    def clear(self, owner: str) -> None:
        with self._lock:
            self._path(owner).unlink(missing_ok=True)

    def _write(self, owner: str, digits: np.ndarray, labels: np.ndarray) -> None:
        path = self._path(owner)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        np.savez_compressed(partial, x=digits, y=labels)
        partial.replace(path)  # A reader never sees half a file.

    def _path(self, owner: str) -> Path:
        if not OWNER_PATTERN.fullmatch(owner):
            raise ValueError(f"{owner!r} cannot name a test set: use lower-case letters, digits and dashes.")
        return self.root / f"{owner}.npz"
