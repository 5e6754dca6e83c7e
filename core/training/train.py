"""Training a `ModelSpec` on a `Dataset`: the one training path that both the pages and the CLI use."""

from __future__ import annotations

import math
import os
import platform
import threading
from dataclasses import dataclass
from typing import Callable

import keras

from core.data.dataset import Dataset
from core.models.build import build_model
from core.models.inputs import check_fits, prepare_inputs, prepare_labels, split_sizes
from core.models.spec import ModelSpec, TrainingConfig
from core.predict.regions import DecisionRegions
from core.training.callbacks import DecisionRegionsCallback, LiveHistoryCallback, optional_float
from core.training.divergence import DivergenceCallback
from core.training.execution import steps_per_execution
from core.training.failures import TrainingFailed
from core.training.history import EpochRecord, RunHistory

REGIONS_SECONDS = 0.5
"""Decision regions are sent at most this often (every 5 epochs otherwise): as often as a page redraws."""


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
    """Where a run trained, for its record: 'x86_64, 2 CPUs (devices: cpu:0) · Keras 3.15.1 on jax'."""
    devices = ", ".join(keras.distribution.list_devices())
    return (f"{platform.machine()}, {os.cpu_count()} CPUs (devices: {devices}) · "
            f"Keras {keras.__version__} on {keras.backend.backend()}")


def group_steps(model: keras.Model, batches_per_epoch: int, batch_size: int) -> None:
    """Run as many steps per call as `core.training.execution` chooses for this backend, epoch and model. Set on
    the model rather than compiled in, so its saved compile settings stay Keras's defaults wherever it is loaded."""
    steps = steps_per_execution(keras.backend.backend(), batches_per_epoch, model.count_params() * batch_size)
    if model.steps_per_execution != steps:
        model.steps_per_execution = steps
        model.make_train_function(force=True)


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
    keeping: list[keras.callbacks.Callback] | None = None,
) -> TrainingResult:
    """Build the spec, fit it on the dataset's training part while recording into `history`, then evaluate.

    For a dataset of 2-D points, `on_regions` receives the decision regions every few epochs, for a page to redraw.
    `keeping`: callbacks that keep the run's folder (a checkpoint, TensorBoard), called at each epoch's end before
    the history records the epoch, so the epoch's time includes them and the epoch's listener finds them done.
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
    batches_per_epoch = math.ceil(fitted_examples / config.batch_size)
    group_steps(model, batches_per_epoch, config.batch_size)
    history.begin(config.epochs, batches_per_epoch)
    guard = DivergenceCallback(dataset.num_classes, first_losses[0] if first_losses else None,
                               learns_start=not continuing)
    callbacks = [*(keeping or []), LiveHistoryCallback(history, stop_requested, on_epoch_end, resumed), guard,
                 *schedule_callbacks(config)]
    if on_regions is not None and dataset.input_shape == (2,):
        callbacks.append(DecisionRegionsCallback(spec, dataset.x_train, on_regions, every_seconds=REGIONS_SECONDS))
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
        test_accuracy=optional_float(scores.get("accuracy")),
        stopped_early=_stopped_early(history, stop_requested),
        note=_early_stopping_note(callbacks, config),
    )
