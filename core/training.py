"""Training a `ModelSpec` on a `Dataset`: the one training path that both the pages and the CLI use."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable

import keras

from core.arrays import check_fits, prepare_inputs, prepare_labels, split_sizes
from core.building import build_model
from core.datasets import Dataset
from core.history import EpochRecord, RunHistory
from core.specs import ModelSpec, TrainingConfig


class TrainingFailed(ValueError):
    """Training ended early because of a setting the learner should change, such as a loss that became NaN."""


class LiveHistoryCallback(keras.callbacks.Callback):
    """Records numbers into a `RunHistory` and honours a stop request; never touches the UI.

    It is `async_safe`: Keras runs its batch hook on helper threads, so recording a batch does not hold up
    the next training step (a stop is therefore seen within a batch or two, never later than the epoch's end).
    """

    async_safe = True

    def __init__(
        self,
        history: RunHistory,
        stop_requested: threading.Event | None = None,
        on_epoch_end: Callable[[EpochRecord], None] | None = None,
    ) -> None:
        super().__init__()
        self.history = history
        self.stop_requested = stop_requested
        self.epoch_listener = on_epoch_end
        self.failure: str | None = None
        self._epoch_started_at = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.history.begin_epoch(epoch + 1)
        self._epoch_started_at = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        loss = float(logs.get("loss", math.nan))
        step = (self.history.current_epoch - 1) * self.history.batches_per_epoch + batch
        self.history.record_batch(step, loss, _optional_float(logs.get("accuracy")))
        if math.isnan(loss) or math.isinf(loss):
            self.failure = (
                f"the loss became {loss} at epoch {self.history.current_epoch}: the weights diverged. "
                "Try a smaller learning rate or scale the inputs to [0, 1]."
            )
            self.model.stop_training = True
        elif self.stop_requested is not None and self.stop_requested.is_set():
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        record = EpochRecord(
            epoch=epoch + 1,
            loss=float(logs.get("loss", math.nan)),
            accuracy=_optional_float(logs.get("accuracy")),
            seconds=time.perf_counter() - self._epoch_started_at,
            val_loss=_optional_float(logs.get("val_loss")),
            val_accuracy=_optional_float(logs.get("val_accuracy")),
        )
        self.history.record_epoch(record)
        if self.epoch_listener is not None:
            self.epoch_listener(record)


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class TrainingResult:
    """What a finished (or stopped) run leaves: the trained model and its score on the test set."""

    model: keras.Model
    test_loss: float
    test_accuracy: float | None
    stopped_early: bool


def _stopped_early(history: RunHistory, stop_requested: threading.Event | None) -> bool:
    """A stop that came after the last step (during the final evaluation, say) still leaves a finished run."""
    snapshot = history.snapshot()
    all_steps = snapshot.total_epochs * snapshot.batches_per_epoch
    return stop_requested is not None and stop_requested.is_set() and snapshot.steps_done < all_steps


def train_model(
    spec: ModelSpec,
    config: TrainingConfig,
    dataset: Dataset,
    history: RunHistory,
    stop_requested: threading.Event | None = None,
    on_epoch_end: Callable[[EpochRecord], None] | None = None,
) -> TrainingResult:
    """Build the spec, fit it on the dataset's training part while recording into `history`, then evaluate.

    Raises ValueError for a spec that does not fit the dataset and TrainingFailed when the loss diverges.
    """
    check_fits(spec, dataset)
    fitted_examples, _ = split_sizes(dataset.train_size, config.validation_split)
    x_train = prepare_inputs(spec, dataset.x_train)
    y_train = prepare_labels(spec, dataset.y_train, dataset.num_classes)
    x_test = prepare_inputs(spec, dataset.x_test)
    y_test = prepare_labels(spec, dataset.y_test, dataset.num_classes)

    keras.utils.set_random_seed(config.seed)
    model = build_model(spec, dataset.input_shape, dataset.num_classes)
    history.begin(config.epochs, math.ceil(fitted_examples / config.batch_size))
    callback = LiveHistoryCallback(history, stop_requested, on_epoch_end)
    model.fit(
        x_train,
        y_train,
        epochs=config.epochs,
        batch_size=config.batch_size,
        validation_split=config.validation_split,
        validation_data=(x_test, y_test) if config.validate_on_test else None,
        callbacks=[callback],
        verbose=0,
    )
    if callback.failure is not None:
        raise TrainingFailed(callback.failure)
    scores = model.evaluate(x_test, y_test, batch_size=max(config.batch_size, 256), verbose=0, return_dict=True)
    return TrainingResult(
        model=model,
        test_loss=float(scores["loss"]),
        test_accuracy=_optional_float(scores.get("accuracy")),
        stopped_early=_stopped_early(history, stop_requested),
    )
