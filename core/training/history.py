"""The numbers a training run produces, written by its callbacks where it trains and read by pages and the CLI.

`RunHistory` is the only object the two sides share. Both hold its lock only to append or to copy; readers
take an immutable `HistorySnapshot`, so a page can draw while training goes on. A worker process sends its
history to the server as `changes_since` what it sent before, and the server's copy `apply_changes`.
"""

from __future__ import annotations

import bisect
import csv
import io
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from core.models.inputs import split_sizes


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch. `val_*` are None when the run holds back no validation data."""

    epoch: int
    loss: float
    accuracy: float | None
    seconds: float
    val_loss: float | None = None
    val_accuracy: float | None = None
    learning_rate: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HistorySnapshot:
    """A consistent copy of a run's history at one moment."""

    batch_losses: tuple[float, ...]
    batch_accuracies: tuple[float, ...]
    epochs: tuple[EpochRecord, ...]
    total_epochs: int
    batches_per_epoch: int
    current_epoch: int
    batches_in_epoch: int
    elapsed_seconds: float

    @property
    def steps_done(self) -> int:
        return len(self.batch_losses)

    @property
    def fraction_done(self) -> float:
        total_steps = self.total_epochs * self.batches_per_epoch
        return min(1.0, self.steps_done / total_steps) if total_steps else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the pace so far; None until there is a pace to go by."""
        if not self.steps_done or not self.batches_per_epoch:
            return None
        steps_left = self.total_epochs * self.batches_per_epoch - self.steps_done
        return max(0.0, self.elapsed_seconds / self.steps_done * steps_left)

    @property
    def steady_epoch_seconds(self) -> float | None:
        """Median seconds per epoch, leaving out the first (it also traces and compiles the model)."""
        seconds = sorted(record.seconds for record in self.epochs[1:]) or [r.seconds for r in self.epochs]
        return seconds[len(seconds) // 2] if seconds else None


@dataclass
class RunHistory:
    """Lock-protected history of one run: per-batch loss and accuracy, per-epoch records and progress.

    Batches are kept in step order even when Keras reports them from several helper threads out of order.
    """

    batches: list[tuple[int, float, float]] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    total_epochs: int = 0
    batches_per_epoch: int = 0
    current_epoch: int = 0
    batches_in_epoch: int = 0
    elapsed_seconds: float = 0.0
    _started_at: float | None = field(default=None, repr=False)
    _rewound_to: tuple[int, int] | None = field(default=None, repr=False)
    """The batches and epochs kept by a rewind not yet sent on: `changes_since` resends from there."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self, total_epochs: int, batches_per_epoch: int) -> None:
        """Start (or, for continued training, carry on) the clock and set how much training there is."""
        with self._lock:
            self.total_epochs = total_epochs
            self.batches_per_epoch = batches_per_epoch
            self._started_at = time.perf_counter() - self.elapsed_seconds

    def rewind_to_whole_epochs(self) -> int:
        """Before training continues: drop the batches of an epoch that was stopped halfway, since that epoch is
        trained again from its start. Returns the number of whole epochs kept."""
        return self.rewind_to(len(self.epochs))

    def rewind_to(self, epochs: int) -> int:
        """Keep only the first `epochs` epochs and their batches (an interrupted run continues from its checkpoint,
        which may be an epoch or two behind its curves). Returns the number of epochs kept."""
        with self._lock:
            kept = min(epochs, len(self.epochs))
            self.epochs = self.epochs[:kept]
            self.batches = self.batches[: kept * self.batches_per_epoch]
            self._rewound_to = (len(self.batches), kept)
            self.current_epoch, self.batches_in_epoch = kept, 0
            return kept

    def begin_epoch(self, epoch: int) -> None:
        with self._lock:
            self.current_epoch = epoch
            self.batches_in_epoch = 0

    def record_batch(self, step: int, loss: float, accuracy: float | None, steps: int = 1) -> None:
        """One training step, `step` counting from 0 across epochs; or `steps` steps from `step` on that ran as one
        call (`steps_per_execution`), which share the numbers Keras reported at the call's end."""
        with self._lock:
            for index in range(step, step + steps):
                bisect.insort(self.batches, (index, loss, float("nan") if accuracy is None else accuracy))
            self.batches_in_epoch += steps
            self._tick()

    def epoch_is_whole(self) -> bool:
        """Whether every step of the current epoch is in (Keras also ends an epoch that was stopped halfway). Cheap,
        unlike a snapshot, which copies every batch: callbacks ask at each epoch's end."""
        with self._lock:
            return self.batches_in_epoch >= self.batches_per_epoch

    def record_epoch(self, record: EpochRecord) -> None:
        with self._lock:
            self.epochs.append(record)
            self._tick()

    def _tick(self) -> None:
        if self._started_at is not None:
            self.elapsed_seconds = time.perf_counter() - self._started_at

    def snapshot(self) -> HistorySnapshot:
        with self._lock:
            return HistorySnapshot(
                batch_losses=tuple(loss for _, loss, _ in self.batches),
                batch_accuracies=tuple(accuracy for _, _, accuracy in self.batches),
                epochs=tuple(self.epochs),
                total_epochs=self.total_epochs,
                batches_per_epoch=self.batches_per_epoch,
                current_epoch=self.current_epoch,
                batches_in_epoch=self.batches_in_epoch,
                elapsed_seconds=self.elapsed_seconds,
            )

    def changes_since(self, batches_sent: int, epochs_sent: int) -> dict[str, Any]:
        """What the history gained since `batches_sent` batches and `epochs_sent` epochs were sent, as JSON-ready data.

        Batches go only as far as every step is in (Keras may report the last few out of order), so no step is
        skipped; a rewind (continued training) is carried by the `from` positions, which `apply_changes` cuts to.
        One sender per history: a rewind is sent on once.
        """
        with self._lock:
            rewound_batches, rewound_epochs = self._rewound_to or (batches_sent, epochs_sent)
            self._rewound_to = None
            batches_sent, epochs_sent = min(batches_sent, rewound_batches), min(epochs_sent, rewound_epochs)
            first = min(batches_sent, len(self.batches))
            last = first
            while last < len(self.batches) and self.batches[last][0] == last:
                last += 1
            return {
                "from_batch": first,
                "batches": [[loss, accuracy] for _, loss, accuracy in self.batches[first:last]],
                "from_epoch": min(epochs_sent, len(self.epochs)),
                "epochs": [record.to_dict() for record in self.epochs[min(epochs_sent, len(self.epochs)):]],
                "total_epochs": self.total_epochs,
                "batches_per_epoch": self.batches_per_epoch,
                "current_epoch": self.current_epoch,
                "batches_in_epoch": self.batches_in_epoch,
                "elapsed_seconds": self.elapsed_seconds,
            }

    def apply_changes(self, changes: dict[str, Any]) -> tuple[int, int]:
        """Bring this copy up to date with `changes_since` from another process; returns the batches and epochs held,
        which are what the sender counts as sent."""
        with self._lock:
            first = changes["from_batch"]
            del self.batches[first:]  # In place: a long run's copy grows by a few batches per event, not rebuilt.
            self.batches.extend((first + offset, loss, accuracy)
                                for offset, (loss, accuracy) in enumerate(changes["batches"]))
            del self.epochs[changes["from_epoch"]:]
            self.epochs.extend(EpochRecord(**record) for record in changes["epochs"])
            for name in ("total_epochs", "batches_per_epoch", "current_epoch", "batches_in_epoch", "elapsed_seconds"):
                setattr(self, name, changes[name])
            return len(self.batches), len(self.epochs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunHistory:
        """A finished run's history, as `to_dict` stored it."""
        fields = {key: value for key, value in data.items() if key not in ("epochs", "batch_losses", "batch_accuracies")}
        batches = [(step, *values) for step, values in enumerate(zip(data["batch_losses"], data["batch_accuracies"]))]
        return cls(**fields, batches=batches, epochs=[EpochRecord(**record) for record in data["epochs"]])

    def to_dict(self) -> dict[str, Any]:
        snapshot = self.snapshot()
        return {
            "batch_losses": list(snapshot.batch_losses),
            "batch_accuracies": list(snapshot.batch_accuracies),
            "epochs": [record.to_dict() for record in snapshot.epochs],
            "total_epochs": snapshot.total_epochs,
            "batches_per_epoch": snapshot.batches_per_epoch,
            "current_epoch": snapshot.current_epoch,
            "batches_in_epoch": snapshot.batches_in_epoch,
            "elapsed_seconds": snapshot.elapsed_seconds,
        }


def epochs_csv(epochs: tuple[EpochRecord, ...] | list[EpochRecord]) -> str:
    """A run's per-epoch numbers as CSV, one row per epoch, for a spreadsheet or pandas."""
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=[field.name for field in fields(EpochRecord)], lineterminator="\n")
    writer.writeheader()
    writer.writerows(record.to_dict() for record in epochs)
    return output.getvalue()


def samples_per_second(snapshot: HistorySnapshot, train_size: int, validation_split: float) -> float | None:
    """Training examples per second of a steady epoch, its validation pass included: the speed a learner compares
    across models and machines. None until an epoch is timed, or for a run with no training data of its own (a model
    opened from a file)."""
    fitted, _ = split_sizes(train_size, validation_split) if train_size else (0, 0)
    seconds = snapshot.steady_epoch_seconds
    return fitted / seconds if fitted and seconds else None
