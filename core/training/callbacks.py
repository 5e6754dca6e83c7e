"""The Keras callbacks a run trains with: its live history and controls, its decision regions, and the two that
keep its folder current (a checkpoint per epoch, TensorBoard scalars). None of them touches the UI.

Each one is `async_safe` (or has no batch hooks), so Keras runs batch-end hooks on helper threads and never waits
for a batch's numbers before the next step: adding a callback with a batch hook that is not would make every
step wait, which `benchmarks/overhead.py` shows at once.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from core.models.layers import is_whole_number
from core.models.spec import ModelSpec
from core.predict.regions import DEFAULT_RESOLUTION, DecisionRegions, region_grid, regions_over
from core.training.history import EpochRecord, RunHistory

PAUSE_POLL_SECONDS = 0.2
"""How often a paused run looks whether it was stopped meanwhile."""
CHECKPOINT_SECONDS = 5.0
"""A checkpoint is written after the first epoch and then after each epoch that ends this long after the last
one: at most this much training is lost to a crash, and an MLP's epochs of a fifth of a second are not slowed by
a 30 ms save after every one."""
FLUSH_SECONDS = 1.0
"""TensorBoard's files are flushed at most this often (and at the end): a flush after each of the spiral's
millisecond epochs cost more than the epoch."""


class LiveHistoryCallback(keras.callbacks.Callback):
    """Records numbers into a `RunHistory` and honours stop, pause and resume; never touches the UI.

    It is `async_safe`: Keras runs its batch-end hook on helper threads, so recording a batch does not hold up
    the next training step. The batch-begin hook is always called in the training thread: that is where a paused
    run waits and a stop is honoured (at the next step). The batch-end hook never touches `self.model`: on JAX,
    that property copies the training state back into the model, which from a helper thread races the step in
    progress ("Array has been deleted").
    """

    async_safe = True

    def __init__(
        self,
        history: RunHistory,
        stop_requested: threading.Event | None = None,
        on_epoch_end: Callable[[EpochRecord], None] | None = None,
        resumed: threading.Event | None = None,
    ) -> None:
        super().__init__()
        self.history = history
        self.stop_requested = stop_requested
        self.epoch_listener = on_epoch_end
        self.resumed = resumed
        self._epoch_started_at = 0.0
        self._steps_per_call = 1

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._steps_per_call = self.model.steps_per_execution

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self.stop_requested is not None and self.stop_requested.is_set():
            self.model.stop_training = True
        if self.resumed is None or self.resumed.is_set():
            return
        paused_at = time.perf_counter()
        while not self.resumed.wait(PAUSE_POLL_SECONDS):
            if self.stop_requested is not None and self.stop_requested.is_set():
                break
        self._epoch_started_at += time.perf_counter() - paused_at  # A pause is not part of the epoch's time.

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.history.begin_epoch(epoch + 1)
        self._epoch_started_at = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        loss = float(logs.get("loss", math.nan))
        # With steps_per_execution, `batch` is the last step of a call, counted as if every call were whole.
        first = batch - self._steps_per_call + 1
        steps = min(batch + 1, self.history.batches_per_epoch) - first
        step = (self.history.current_epoch - 1) * self.history.batches_per_epoch + first
        self.history.record_batch(step, loss, optional_float(logs.get("accuracy")), steps)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not self.history.epoch_is_whole():
            return  # Keras ends a stopped epoch too; only whole epochs are epochs (continuing trains this one again).
        logs = logs or {}
        record = EpochRecord(
            epoch=epoch + 1,
            loss=float(logs.get("loss", math.nan)),
            accuracy=optional_float(logs.get("accuracy")),
            seconds=time.perf_counter() - self._epoch_started_at,
            val_loss=optional_float(logs.get("val_loss")),
            val_accuracy=optional_float(logs.get("val_accuracy")),
            learning_rate=float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
        )
        self.history.record_epoch(record)
        if self.epoch_listener is not None:
            self.epoch_listener(record)


def optional_float(value: object) -> float | None:
    return None if value is None else float(value)


class DecisionRegionsCallback(keras.callbacks.Callback):
    """Hands fresh decision regions to `listener` during training, so a page can redraw them as the model learns.

    It reports after epoch 1, after every epoch that is a multiple of `every_epochs` (5, 10, 15, ... by default)
    and at least `every_seconds` after the last report, and when training ends, unless the last epoch was just
    reported (a page redraws twice a second; the spiral's epochs take milliseconds). Epochs are counted as Keras
    counts them, so a run continued with `initial_epoch` goes on from where it stopped. The grid is computed once; each report
    costs one model call. The listener is called on the training thread and must not touch the UI itself.
    """

    def __init__(self, spec: ModelSpec, points: np.ndarray, listener: Callable[[DecisionRegions], None],
                 every_epochs: int = 5, resolution: int = DEFAULT_RESOLUTION, margin: float = 0.1,
                 every_seconds: float = 0.0) -> None:
        super().__init__()
        if not is_whole_number(every_epochs) or every_epochs < 1:
            raise ValueError(f"every_epochs is how many epochs pass between two reports, a whole number of at least "
                             f"1, got {every_epochs!r}.")
        self._grid = region_grid(spec, points, resolution, margin)
        self._listener = listener
        self._every_epochs = every_epochs
        self._every_seconds = every_seconds
        self._epochs_done: int | None = None
        self._epoch_reported: int | None = None
        self._reported_at = -math.inf

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._epochs_done = epoch + 1  # Keras counts epochs from 0.
        waited = time.monotonic() - self._reported_at >= self._every_seconds
        if self._epochs_done == 1 or (self._epochs_done % self._every_epochs == 0 and waited):
            self._report()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._epochs_done is not None and self._epoch_reported != self._epochs_done:
            self._report()

    def _report(self) -> None:
        self._epoch_reported, self._reported_at = self._epochs_done, time.monotonic()
        self._listener(regions_over(self.model, self._grid, self._epochs_done))


class EpochCheckpoint(keras.callbacks.ModelCheckpoint):
    """Keras's `ModelCheckpoint` of the whole model (weights and optimizer state) at the end of whole epochs, at most
    one per `CHECKPOINT_SECONDS` (the first epoch always); `saved_epoch` says which epoch the newest one holds.

    A stopped epoch (Keras ends it too) is never checkpointed: its model is between two epochs.
    """

    async_safe = True  # With save_freq="epoch" its batch hook does nothing.

    def __init__(self, filepath: str, history: RunHistory, every_seconds: float = CHECKPOINT_SECONDS) -> None:
        super().__init__(filepath, save_freq="epoch", verbose=0)
        self.history = history
        self.every_seconds = every_seconds
        self.saved_epoch = 0
        self._saved_at: float | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not self.history.epoch_is_whole():
            return
        if self._saved_at is not None and time.perf_counter() - self._saved_at < self.every_seconds:
            return
        super().on_epoch_end(epoch, logs)
        self.saved_epoch, self._saved_at = epoch + 1, time.perf_counter()


class EpochScalars(keras.callbacks.Callback):
    """Each epoch's scalars (loss, accuracy, learning rate; validation's loss and accuracy) as TensorBoard event files,
    laid out as Keras's `TensorBoard` callback lays them out (`train/` and `validation/`, tags `epoch_loss`, ...), so
    `tensorboard --logdir ~/.keras-lab/runs` shows every run. Written with TensorBoard's own framework-free `Writer`
    rather than Keras's callback, which needs TensorFlow's `tf.summary` (a worker training on JAX keeps TensorFlow
    out: see `core.training.execution.keep_tensorflow_out`)."""

    def __init__(self, log_dir: str) -> None:
        super().__init__()
        from tensorboard.summary import Writer

        self._writers = {part: Writer(str(Path(log_dir) / part)) for part in ("train", "validation")}
        self._flushed_at = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = dict(logs or {})
        logs.setdefault("learning_rate", keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        for name, value in logs.items():
            part, tag = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
            self._writers[part].add_scalar(f"epoch_{tag}", float(value), step=epoch)
        if time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            for writer in self._writers.values():
                writer.flush()
            self._flushed_at = time.monotonic()

    def on_train_end(self, logs: dict | None = None) -> None:
        for writer in self._writers.values():
            writer.close()

