"""Training runs that live beside Streamlit's reruns: each run is a daemon thread owned by a `RunRegistry`.

A page starts a run and then only reads it (its state and a snapshot of its history), so clicking widgets
or switching pages never touches the training. A bounded number of runs train at once; the rest wait in
a first-come, first-served queue. The CLI trains a run to its end in its own thread with the same code.
Nothing here imports Keras until a run actually trains.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import replace
from typing import Any, Callable

from core.data.catalogue import load_dataset
from core.models.layers import is_whole_number
from core.models.spec import ModelSpec, TrainingConfig
from core.training.failures import TrainingFailed, describe_failure
from core.training.history import EpochRecord
from core.training.run import CONTINUABLE_STATES, RunState, TrainingRun
from core.training.storage import RUN_ID_PATTERN, RunStorage, new_run_id

QUEUE_POLL_SECONDS = 0.2
"""How often a queued run checks whether it was stopped while it waits."""
SETTLED_RUNS_IN_MEMORY = 32
"""Settled runs beyond this many (oldest first) leave memory; their folders on disk bring them back."""
MODELS_IN_MEMORY = 4
"""Saved, settled runs beyond this many keep no Keras model in memory (each holds its weights, optimizer state and
traced functions, megabytes apiece); the model loads again from disk when a page or a continuation needs it."""


class RunRegistry:
    """All runs of one process. Pages share it (through `st.cache_resource`); at most `max_concurrent` train."""

    def __init__(self, storage: RunStorage | None = None, max_concurrent: int = 2,
                 orphan_seconds: float | None = None) -> None:
        """`orphan_seconds`: a queued, training or paused run that no page has shown for this long is stopped (and
        kept), so a visitor who closed the tab leaves nothing training forever. None: never."""
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, got {max_concurrent}.")
        self.storage = storage
        self.max_concurrent = max_concurrent
        self.orphan_seconds = orphan_seconds
        self._watchdog: threading.Thread | None = None
        self._runs: dict[str, TrainingRun] = {}
        self._waiting: deque[TrainingRun] = deque()
        self._training = 0
        self._lock = threading.Condition()

    def start(self, owner: str, preset_name: str, dataset_name: str, spec: ModelSpec,
              config: TrainingConfig) -> TrainingRun:
        """Queue a new run and start its thread; it trains as soon as it is first in the queue and a slot is free."""
        run = TrainingRun(run_id=new_run_id(), owner=owner, preset_name=preset_name, dataset_name=dataset_name,
                          spec=spec, config=config)
        self._enqueue(run)
        return run

    def start_in_turn(self, runs: list[TrainingRun], thread_name: str) -> None:
        """Queue one owner's runs to train one after another (a sweep): they never hold more than one training
        slot, and other visitors' runs keep their place in the queue."""
        self._start_watchdog()
        with self._lock:
            for owner in {run.owner for run in runs}:
                self._refuse_a_second_run(owner)
            for run in runs:
                run.seen()
                self._runs[run.run_id] = run
        threading.Thread(target=self._execute_in_turn, args=(runs,), name=thread_name, daemon=True).start()

    def _execute_in_turn(self, runs: list[TrainingRun]) -> None:
        for run in runs:
            run.seen()  # Its wait for a page to watch it starts now, not when the sweep was queued.
            with self._lock:
                self._waiting.append(run)
            self._execute(run)

    def training_member(self, run: TrainingRun) -> TrainingRun | None:
        """The run of the same sweep that is queued or training now, if any (pages follow a sweep with it)."""
        with self._lock:
            return next((other for other in self._runs.values()
                         if run.sweep and other.sweep == run.sweep and other.is_active), None)

    def keep_finished(self, run: TrainingRun, message: str) -> None:
        """Save and keep a run that finished without training here (a model trained elsewhere, say)."""
        run.settle(RunState.FINISHED, self._save(run, RunState.FINISHED, message))
        with self._lock:
            self._runs[run.run_id] = run
            self._forget_old_runs()

    def continue_run(self, run: TrainingRun, owner: str, more_epochs: int) -> None:
        """Train a finished or stopped run for `more_epochs` more epochs, from where it ended: same weights, same
        optimizer state, its curves carrying on. It queues like a new run.

        The run is claimed (queued) before its model loads, so a second tab cannot continue it too and the memory
        bound cannot drop the model meanwhile; any refusal puts it back as it was.
        """
        if not is_whole_number(more_epochs) or more_epochs < 1:
            raise ValueError(f"continue for a whole number of epochs, at least 1, got {more_epochs!r}.")
        with self._lock:
            if run.state not in CONTINUABLE_STATES:
                raise ValueError(f"only a finished or stopped run can continue; this one is {run.state.value}.")
            self._refuse_a_second_run(owner)
            previous, run.state = run.state, RunState.QUEUED
        try:
            self._load_model(run)
            run.config = replace(run.config, epochs=len(run.history.snapshot().epochs) + more_epochs)
            run.owner, run.orphaned = owner, False
            run.stop_requested.clear()
            run.message, run.settled_at, run.test_loss, run.test_accuracy = "", None, None, None
            self._enqueue(run)
        except Exception:
            run.state = previous
            raise

    def _load_model(self, run: TrainingRun) -> None:
        """The run's model, loaded from disk (with its optimizer state) if it is not in memory."""
        if run.model is None:
            run.model = self._model_from_disk(run)
        if run.model is None:
            raise ValueError("this run's trained model cannot be read, so it cannot continue; start a new run.")

    def stop(self, run: TrainingRun) -> None:
        """Stop a run; for a sweep, every run of it still to come as well."""
        with self._lock:
            siblings = [other for other in self._runs.values() if run.sweep and other.sweep == run.sweep]
        for other in [run, *siblings]:
            if other.is_active:
                other.request_stop()

    def _enqueue(self, run: TrainingRun) -> None:
        """Put the run in the queue and start the thread that trains it when its turn comes."""
        run.seen()
        self._start_watchdog()
        with self._lock:
            self._refuse_a_second_run(run.owner, run)
            self._runs[run.run_id] = run
            self._waiting.append(run)
        try:
            threading.Thread(target=self._execute, args=(run,), name=f"keras-lab-run-{run.run_id}", daemon=True).start()
        except RuntimeError as error:  # The process cannot start more threads.
            with self._lock:
                self._waiting.remove(run)
                del self._runs[run.run_id]
                self._lock.notify_all()
            raise ValueError(f"the server cannot start another training run right now ({error}); try again later.")

    def _start_watchdog(self) -> None:
        with self._lock:
            if self.orphan_seconds is None or self._watchdog is not None:
                return
            self._watchdog = threading.Thread(target=self._stop_orphans, name="keras-lab-orphans", daemon=True)
            self._watchdog.start()

    def _stop_orphans(self) -> None:
        """Every few seconds, stop the active runs that no page has shown for `orphan_seconds`."""
        while True:
            time.sleep(min(self.orphan_seconds / 4, 5.0))
            with self._lock:  # Runs of a sweep that wait their turn outside the queue are not anyone's to watch yet.
                active = [run for run in self._runs.values()
                          if run.state in (RunState.RUNNING, RunState.PAUSED) or run in self._waiting]
            for run in active:
                if time.time() - run.last_seen > self.orphan_seconds and not run.stop_requested.is_set():
                    run.orphaned = True
                    run.request_stop()

    def _refuse_a_second_run(self, owner: str, run: TrainingRun | None = None) -> None:
        """Each visitor trains one run at a time. Call with the lock held."""
        if any(other.owner == owner and other.is_active and other is not run for other in self._runs.values()):
            raise ValueError("you already have a run training: stop it or wait for it to end, then start again.")

    def get(self, run_id: str) -> TrainingRun | None:
        """The run, from memory or else from storage (after a restart, say); None for an unknown or unreadable id."""
        with self._lock:
            if run_id in self._runs:
                return self._runs[run_id]
        if self.storage is None or not RUN_ID_PATTERN.fullmatch(run_id):
            return None
        try:
            record = self.storage.load_record(run_id)
            restored = None if record is None else TrainingRun.from_record(record)
        except Exception:  # A damaged or foreign run.json, whatever its shape, is no run.
            return None
        if restored is None:
            return None
        with self._lock:
            run = self._runs.setdefault(run_id, restored)
            self._forget_old_runs()
            return run

    def runs_of(self, owner: str) -> list[TrainingRun]:
        """The visitor's runs, newest first: the ones in memory and the ones kept on disk (after a restart, say)."""
        stored = self.storage.run_ids() if self.storage is not None else []
        with self._lock:
            in_memory = set(self._runs)
        runs = [self.get(run_id) for run_id in set(stored) | in_memory]
        return sorted((run for run in runs if run is not None and run.owner == owner),
                      key=lambda run: run.created_at, reverse=True)

    def rename(self, run: TrainingRun, name: str) -> None:
        """Give a run a name (up to 80 characters); a settled run's record on disk is updated too."""
        name = " ".join(name.split())
        if len(name) > 80:
            raise ValueError(f"a run's name can have at most 80 characters; this one has {len(name)}.")
        run.given_name = name
        if run.saved and not run.is_active and self.storage is not None:
            try:
                self.storage.save_record(run.run_id, run.to_record())
            except OSError:
                raise ValueError("this run is no longer on the server (deleted in another tab?).") from None

    def delete(self, run: TrainingRun) -> None:
        """Forget a settled run, in memory and on disk."""
        if run.is_active:
            raise ValueError("this run is still training: stop it first, then delete it.")
        with self._lock:
            self._runs.pop(run.run_id, None)
        if self.storage is not None:
            self.storage.delete(run.run_id)

    def trained_model(self, run: TrainingRun) -> Any | None:
        """The run's Keras model; a run restored from storage loads it from disk the first time.

        None when there is none, or when its file cannot be read (damaged, or saved by another Keras).
        """
        if run.model is None and not run.is_active:
            run.model = self._model_from_disk(run)
        return run.model

    def _model_from_disk(self, run: TrainingRun) -> Any | None:
        """The saved model with its optimizer state; None when there is none or its file cannot be read."""
        if self.storage is None:
            return None
        try:
            return self.storage.load_model(run.run_id)
        except Exception:  # Whatever Keras raises for an unreadable file (damaged, or saved by another Keras).
            return None

    def queue_position(self, run: TrainingRun) -> int:
        """How many runs are ahead of this one in the queue (0 when it is next, or not queued)."""
        with self._lock:
            return self._waiting.index(run) if run in self._waiting else 0

    def run_to_end(self, run: TrainingRun, on_epoch_end: Callable[[EpochRecord], None] | None = None) -> None:
        """Train, evaluate and save the run in the calling thread; whatever happens, it ends settled."""
        run.state = RunState.RUNNING
        final_state, message = RunState.FAILED, "training was interrupted."
        try:
            final_state, message = self._train(run, on_epoch_end)
        except TrainingFailed as error:
            final_state, message, run.diverged = RunState.FAILED, str(error), True
            run.model = None  # Diverged weights: never saved over a model that trained well before (a continuation).
        except Exception as error:  # Any failure ends this run with a message; the server lives on.
            final_state, message = RunState.FAILED, describe_failure(error)
        finally:
            message = self._save(run, final_state, message)
            run.settle(final_state, message)  # Last: whoever sees the run settled can also find it on disk.

    def _execute(self, run: TrainingRun) -> None:
        if not self._wait_for_slot(run):
            run.settle(RunState.STOPPED, f"ended before it started, {self._stop_reason(run)}.")
            return
        try:
            self.run_to_end(run)
        finally:
            with self._lock:
                self._training -= 1
                self._lock.notify_all()
                self._forget_old_runs()

    def _wait_for_slot(self, run: TrainingRun) -> bool:
        """Wait until the run is first in line and a slot is free (True), or it was stopped meanwhile (False)."""
        with self._lock:
            while True:
                if run.stop_requested.is_set():
                    self._waiting.remove(run)
                    self._lock.notify_all()
                    return False
                if self._waiting[0] is run and self._training < self.max_concurrent:
                    break
                self._lock.wait(timeout=QUEUE_POLL_SECONDS)
            self._waiting.popleft()
            self._training += 1
            self._lock.notify_all()
            return True

    def _train(self, run: TrainingRun, on_epoch_end: Callable[[EpochRecord], None] | None) -> tuple[RunState, str]:
        from core.training.train import (  # Imports Keras, in this thread, only now.
            hardware_summary,
            train_model,
        )

        dataset = load_dataset(run.dataset_name)
        run.dataset_source, run.train_size, run.test_size = dataset.source, dataset.train_size, dataset.test_size
        run.hardware = hardware_summary()
        result = train_model(run.spec, run.config, dataset, run.history, run.stop_requested, on_epoch_end,
                             resumed=run.resumed, model=run.model,
                             on_regions=lambda regions: setattr(run, "regions", regions))
        run.model, run.test_loss, run.test_accuracy = result.model, result.test_loss, result.test_accuracy
        if result.stopped_early:
            snapshot = run.history.snapshot()
            return RunState.STOPPED, (f"ended in epoch {snapshot.current_epoch} of {snapshot.total_epochs}, "
                                      f"{self._stop_reason(run)}.")
        return RunState.FINISHED, result.note

    def _stop_reason(self, run: TrainingRun) -> str:
        if run.orphaned:
            return f"because no page showed it for {self.orphan_seconds:g} s (it is kept, and can continue)"
        return "at your request"

    def _save(self, run: TrainingRun, final_state: RunState, message: str) -> str:
        """Save the run as it ends; returns the message, with a sentence added when saving failed."""
        if self.storage is None:
            return message
        try:
            self.storage.save(run.run_id, {**run.to_record(), "state": final_state.value, "message": message,
                                           "settled_at": time.time()}, run.model)
        except Exception as error:  # A run that trained but could not be saved still ends, and says so.
            return f"{message} The run could not be saved: {error}".strip()
        run.saved = True
        return message

    def _forget_old_runs(self) -> None:
        """Keep memory bounded on a shared server: the runs settled longest ago drop their models, and beyond a
        limit stay only on disk.

        Only saved runs are forgotten: any other would be lost for good. Call with the lock held.
        """
        saved = sorted((run for run in self._runs.values() if run.saved and not run.is_active),
                       key=lambda run: run.settled_at or 0.0)
        for run in saved[: max(0, len(saved) - MODELS_IN_MEMORY)]:
            run.model = None
        for run in saved[: max(0, len(saved) - SETTLED_RUNS_IN_MEMORY)]:
            del self._runs[run.run_id]
