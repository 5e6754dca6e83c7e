"""One run trained to its end in this process: what a worker process does with each job, and what the CLI does.

The run's folder is kept current as it goes: the record when training starts and after every epoch (written
atomically, naming the process responsible so a dead one is noticed: see `core.training.recovery`), a checkpoint
of the model and optimizer state, TensorBoard scalars, and at the end the model and the final record. Events tell
whoever listens what happened (see `core.training.events`). Keras is imported when a job trains, not before.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from core.data.catalogue import load_dataset
from core.training.events import Emit, ProgressSender, regions_event, settled_event, started_event
from core.training.failures import TrainingFailed, describe_failure
from core.training.history import EpochRecord
from core.training.run import RunState, TrainingRun
from core.training.storage import RunStorage

PROGRESS_SECONDS = 0.1
"""How often the history's new batches are sent while an epoch runs: the page redraws every 0.4 s."""
RECORD_SECONDS = 1.0
"""After an epoch, the record is rewritten when a checkpoint was saved and otherwise at most this often: it holds
every batch's numbers, and rewriting it after each of the spiral's 1000 epochs took a third of the run's time."""
START_FROM = ("scratch", "model", "checkpoint")
"""Where a job's model comes from: built afresh, the run's saved model (it continues), or its checkpoint (an
interrupted run continues)."""
UNREADABLE_MODEL = "this run's trained model cannot be read, so it cannot continue; start a new run."


def train_to_end(run: TrainingRun, storage: RunStorage | None, emit: Emit, start_from: str = "scratch",
                 on_epoch_end: Callable[[EpochRecord], None] | None = None) -> None:
    """Train, evaluate and save the run; whatever happens, it ends settled, and `emit` hears `settled` last."""
    if start_from not in START_FROM:
        raise ValueError(f"a job starts from one of {', '.join(START_FROM)}, not {start_from!r}.")
    run.state = RunState.RUNNING
    progress = ProgressSender(run, emit)
    final_state, message = RunState.FAILED, "training was interrupted."
    try:
        model = None if start_from == "scratch" else _model_to_continue(run, storage, start_from)
        if model is None and start_from != "scratch":
            final_state, message = RunState.FAILED, UNREADABLE_MODEL
        else:
            final_state, message = _train(run, storage, progress, model, on_epoch_end)
    except TrainingFailed as error:
        final_state, message, run.diverged = RunState.FAILED, str(error), True
        run.model = None  # Diverged weights: never saved over a model that trained well before (a continuation).
    except Exception as error:  # Any failure ends this run with a message; the process lives on.
        final_state, message = RunState.FAILED, describe_failure(error)
    finally:
        progress.send()
        message = _save(run, storage, final_state, message)
        run.settle(final_state, message)
        emit(settled_event(run))


def _model_to_continue(run: TrainingRun, storage: RunStorage | None, start_from: str) -> Any | None:
    """The model a continued run goes on with, or None when it cannot be read (damaged, or another Keras's)."""
    if storage is None:
        return run.model
    try:
        return storage.load_model(run.run_id, run.checkpoint_epoch if start_from == "checkpoint" else None)
    except Exception:  # Whatever Keras raises for an unreadable file.
        return None


def _train(run: TrainingRun, storage: RunStorage | None, progress: ProgressSender, model: Any | None,
           on_epoch_end: Callable[[EpochRecord], None] | None) -> tuple[RunState, str]:
    from core.training.callbacks import EpochCheckpoint, EpochScalars  # These import Keras, only now.
    from core.training.train import hardware_summary, train_model

    dataset = load_dataset(run.dataset_name)
    run.dataset_source, run.train_size, run.test_size = dataset.source, dataset.train_size, dataset.test_size
    run.hardware = hardware_summary()
    progress.emit(started_event(run))
    keeping, checkpoint = [], None
    if storage is not None and not _record_kept(run, storage):
        storage = None  # Train all the same; saving at the end tries again, and says why it failed.
    if storage is not None:
        checkpoint = EpochCheckpoint(storage.checkpoint_pattern(run.run_id), run.history)
        keeping = [checkpoint, EpochScalars(str(storage.tensorboard_folder(run.run_id)))]

    record_written_at = time.monotonic()

    def epoch_ended(record: EpochRecord) -> None:
        """The record on disk (whenever a checkpoint was saved, naming it, and at least every RECORD_SECONDS) before
        the server hears of the epoch."""
        nonlocal record_written_at
        checkpointed = checkpoint is not None and checkpoint.saved_epoch not in (0, run.checkpoint_epoch)
        if checkpointed:
            run.checkpoint_epoch = checkpoint.saved_epoch
        due = checkpointed or time.monotonic() - record_written_at >= RECORD_SECONDS
        if storage is not None and due and _record_kept(run, storage):
            record_written_at = time.monotonic()
            if checkpointed:
                storage.keep_only_checkpoint(run.run_id, run.checkpoint_epoch)
        progress.send()
        if on_epoch_end is not None:
            on_epoch_end(record)

    sending = _send_while_training(progress)
    try:
        result = train_model(run.spec, run.config, dataset, run.history, run.stop_requested, epoch_ended,
                             resumed=run.resumed, model=model, keeping=keeping,
                             on_regions=lambda regions: progress.emit(regions_event(regions)))
    finally:
        sending.set()
    run.model, run.test_loss, run.test_accuracy = result.model, result.test_loss, result.test_accuracy
    if result.stopped_early:
        snapshot = run.history.snapshot()
        return RunState.STOPPED, (f"ended in epoch {snapshot.current_epoch} of {snapshot.total_epochs}, "
                                  f"{run.stop_reason}.")
    return RunState.FINISHED, result.note


def _record_kept(run: TrainingRun, storage: RunStorage) -> bool:
    """Write the run's record as it is now; False when the disk refuses (full, or no folder can be made there)."""
    try:
        storage.save_record(run.run_id, run.to_record())
    except OSError:
        return False
    return True


def _send_while_training(progress: ProgressSender) -> threading.Event:
    """Send the history's changes every PROGRESS_SECONDS until the returned event is set."""
    done = threading.Event()

    def keep_sending() -> None:
        while not done.wait(PROGRESS_SECONDS):
            progress.send()

    threading.Thread(target=keep_sending, name="keras-lab-progress", daemon=True).start()
    return done


def _save(run: TrainingRun, storage: RunStorage | None, final_state: RunState, message: str) -> str:
    """Save the run as it ends; returns the message, with a sentence added when saving failed.

    A run that leaves a model drops its checkpoints; one that does not (it diverged) keeps them, and its model of
    before, for a continuation that failed.
    """
    if storage is None:
        return message
    try:
        run.settle(final_state, message)  # The record says how it ended; settled again if saving fails.
        storage.save(run.run_id, run.to_record(), run.model)
        if run.model is not None:
            storage.keep_only_checkpoint(run.run_id, None)
    except Exception as error:  # A run that trained but could not be saved still ends, and says so.
        return f"{message} The run could not be saved: {error}".strip()
    run.saved = True
    return message
