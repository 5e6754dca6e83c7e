"""Training a `ModelSpec` on a `Dataset`: the one training path that both the pages and the CLI use."""

from __future__ import annotations

import math
import os
import platform
import threading
import time
from dataclasses import dataclass
from typing import Callable

import keras

from core.data.dataset import Dataset
from core.models.build import build_model
from core.models.inputs import check_fits, prepare_inputs, prepare_labels, split_sizes
from core.models.spec import ModelSpec, TrainingConfig
from core.predict.regions import DecisionRegions, DecisionRegionsCallback
from core.training.divergence import DivergenceCallback
from core.training.failures import TrainingFailed
from core.training.history import EpochRecord, RunHistory

PAUSE_POLL_SECONDS = 0.2
"""How often a paused run looks whether it was stopped meanwhile."""


class LiveHistoryCallback(keras.callbacks.Callback):
    """Records numbers into a `RunHistory` and honours stop, pause and resume; never touches the UI.

    It is `async_safe`: Keras runs its batch-end hook on helper threads, so recording a batch does not hold up
    the next training step (a stop is therefore seen within a batch or two, never later than the epoch's end).
    The batch-begin hook is always called in the training thread: that is where a paused run waits.
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

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
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
        step = (self.history.current_epoch - 1) * self.history.batches_per_epoch + batch
        self.history.record_batch(step, loss, _optional_float(logs.get("accuracy")))
        if self.stop_requested is not None and self.stop_requested.is_set():
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        snapshot = self.history.snapshot()
        if snapshot.batches_in_epoch < snapshot.batches_per_epoch:
            return  # Keras ends a stopped epoch too; only whole epochs are epochs (continuing trains this one again).
        logs = logs or {}
        record = EpochRecord(
            epoch=epoch + 1,
            loss=float(logs.get("loss", math.nan)),
            accuracy=_optional_float(logs.get("accuracy")),
            seconds=time.perf_counter() - self._epoch_started_at,
            val_loss=_optional_float(logs.get("val_loss")),
            val_accuracy=_optional_float(logs.get("val_accuracy")),
            learning_rate=float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
        )
        self.history.record_epoch(record)
        if self.epoch_listener is not None:
            self.epoch_listener(record)


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class TrainingResult:
    """What a finished (or stopped) run leaves: the trained model, its score on the test set, and a note such as
    why early stopping ended it."""

    model: keras.Model
    test_loss: float
    test_accuracy: float | None
    stopped_early: bool
    note: str = ""


def _stopped_early(history: RunHistory, stop_requested: threading.Event | None) -> bool:
    """A stop that came after the last step (during the final evaluation, say) still leaves a finished run."""
    snapshot = history.snapshot()
    all_steps = snapshot.total_epochs * snapshot.batches_per_epoch
    return stop_requested is not None and stop_requested.is_set() and snapshot.steps_done < all_steps


def _step_decay(every: int, factor: float) -> Callable[[int, float], float]:
    """Multiply the learning rate by `factor` at every `every`-th epoch (counting across continued training)."""

    def schedule(epoch: int, learning_rate: float) -> float:
        return learning_rate * factor if epoch and epoch % every == 0 else learning_rate

    return schedule


def schedule_callbacks(config: TrainingConfig) -> list[keras.callbacks.Callback]:
    """Keras's own callbacks for the config's early stopping and learning-rate schedule."""
    callbacks: list[keras.callbacks.Callback] = []
    if config.early_stopping_patience:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor=config.early_stopping_monitor, patience=config.early_stopping_patience,
            restore_best_weights=config.restore_best_weights))
    if config.schedule == "step":
        callbacks.append(keras.callbacks.LearningRateScheduler(_step_decay(config.schedule_every,
                                                                           config.schedule_factor)))
    elif config.schedule == "plateau":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss" if config.has_validation else "loss", factor=config.schedule_factor,
            patience=config.schedule_every))
    return callbacks


def _early_stopping_note(callbacks: list[keras.callbacks.Callback], config: TrainingConfig) -> str:
    stopper = next((callback for callback in callbacks if isinstance(callback, keras.callbacks.EarlyStopping)), None)
    if stopper is None or not stopper.stopped_epoch:
        return ""
    best = "" if not config.restore_best_weights else f"; the weights of epoch {stopper.best_epoch + 1} were kept"
    return (f"early stopping ended it after epoch {stopper.stopped_epoch + 1}: {config.early_stopping_monitor} had not "
            f"improved for {config.early_stopping_patience} epochs{best}.")


def hardware_summary() -> str:
    """Where a run trained, for its record: 'x86_64, 2 CPUs (devices: cpu:0) · Keras 3.15.1 on tensorflow'."""
    devices = ", ".join(keras.distribution.list_devices())
    return (f"{platform.machine()}, {os.cpu_count()} CPUs (devices: {devices}) · "
            f"Keras {keras.__version__} on {keras.backend.backend()}")


def train_model(
    spec: ModelSpec,
    config: TrainingConfig,
    dataset: Dataset,
    history: RunHistory,
    stop_requested: threading.Event | None = None,
    on_epoch_end: Callable[[EpochRecord], None] | None = None,
    resumed: threading.Event | None = None,
    model: keras.Model | None = None,
    on_regions: Callable[[DecisionRegions], None] | None = None,
) -> TrainingResult:
    """Build the spec, fit it on the dataset's training part while recording into `history`, then evaluate.

    For a dataset of 2-D points, `on_regions` receives the decision regions every few epochs, for a page to redraw.
    Given a `model` (one this history already trained), training continues it from the epochs the history holds
    up to `config.epochs`, with its weights and optimizer state as they are. Raises ValueError for a spec that
    does not fit the dataset and TrainingFailed when the loss diverges (see `core.training.divergence`).
    """
    check_fits(spec, dataset)
    fitted_examples, _ = split_sizes(dataset.train_size, config.validation_split)
    x_train = prepare_inputs(spec, dataset.x_train)
    y_train = prepare_labels(spec, dataset.y_train, dataset.num_classes)
    x_test = prepare_inputs(spec, dataset.x_test)
    y_test = prepare_labels(spec, dataset.y_test, dataset.num_classes)

    continuing = model is not None
    epochs_done = history.rewind_to_whole_epochs() if continuing else 0
    keras.utils.set_random_seed(config.seed + epochs_done)
    if model is None:
        model = build_model(spec, dataset.input_shape, dataset.num_classes)
    first_losses = history.snapshot().batch_losses[:1]  # A continued run is still compared with where it began.
    history.begin(config.epochs, math.ceil(fitted_examples / config.batch_size))
    guard = DivergenceCallback(dataset.num_classes, first_losses[0] if first_losses else None,
                               learns_start=not continuing)
    callbacks = [LiveHistoryCallback(history, stop_requested, on_epoch_end, resumed), guard,
                 *schedule_callbacks(config)]
    if on_regions is not None and dataset.input_shape == (2,):
        callbacks.append(DecisionRegionsCallback(spec, dataset.x_train, on_regions))
    model.fit(
        x_train,
        y_train,
        epochs=config.epochs,
        initial_epoch=epochs_done,
        batch_size=config.batch_size,
        shuffle=config.shuffle,
        validation_split=config.validation_split,
        validation_data=(x_test, y_test) if config.validate_on_test else None,
        callbacks=callbacks,
        verbose=0,
    )
    if guard.failure is not None:
        raise TrainingFailed(guard.failure)
    scores = model.evaluate(x_test, y_test, batch_size=max(config.batch_size, 256), verbose=0, return_dict=True)
    return TrainingResult(
        model=model,
        test_loss=float(scores["loss"]),
        test_accuracy=_optional_float(scores.get("accuracy")),
        stopped_early=_stopped_early(history, stop_requested),
        note=_early_stopping_note(callbacks, config),
    )
