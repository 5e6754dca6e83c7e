"""Training runs that live beside Streamlit's reruns: a `RunRegistry` queues each run and hands it, when a slot
is free, to an executor that trains it in another process (see `core.training.executor`).

A page starts a run and then only reads it (its state and a snapshot of its history), so clicking widgets
or switching pages never touches the training. A bounded number of runs train at once; the rest wait in
a first-come, first-served queue, each followed by a thread of the server that carries its events in and its
controls out. Nothing here imports Keras: only a page that loads a model to predict does.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from dataclasses import replace
from typing import Any, Callable

from core.models.layers import is_whole_number
from core.models.spec import ModelSpec, TrainingConfig
from core.training.events import Emit, Event, apply_event
from core.training.executor import Executor, TrainingJob, WorkerLost
from core.training.executor_choice import shared_executor
from core.training.recovery import interrupted_record, is_orphaned_record, is_recorded_active
from core.training.run import CONTINUABLE_STATES, RunState, TrainingRun
from core.training.storage import RUN_ID_PATTERN, RunStorage, new_run_id

QUEUE_POLL_SECONDS = 0.2
"""How often a queued run checks whether it was stopped while it waits."""
SETTLED_RUNS_IN_MEMORY = 32
"""Settled runs beyond this many (oldest first) leave memory; their folders on disk bring them back."""
MODELS_IN_MEMORY = 4
"""Saved, settled runs beyond this many keep no Keras model in memory (each holds its weights, optimizer state and
traced functions, megabytes apiece); the model loads again from disk when a page needs it."""
class RunRegistry:
    """All runs of one process. Pages share it (through `st.cache_resource`); at most `max_concurrent` train."""

    def __init__(self, storage: RunStorage | None = None, max_concurrent: int = 2,
                 orphan_seconds: float | None = None, executor: Executor | None = None) -> None:
        """`orphan_seconds`: a queued, training or paused run that no page has shown for this long is stopped (and
        kept), so a visitor who closed the tab leaves nothing training forever. None: never. `executor`: what trains
        the runs (by default the process's shared executor: see `shared_executor`)."""
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, got {max_concurrent}.")
        self.storage = storage
        self.executor = executor if executor is not None else shared_executor()
        self.max_concurrent = sys.maxsize if self.executor.queues_runs else max_concurrent
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
        self._enqueue(run, "scratch")
        return run

    def start_in_turn(self, runs: list[TrainingRun], thread_name: str) -> None:
        """Queue one owner's runs to train one after another (a sweep): they never hold more than one training
        slot, and other visitors' runs keep their place in the queue. An executor that queues runs itself (a Ray
        cluster) is handed them all at once, to train side by side as its resources allow."""
        self._start_watchdog()
        with self._lock:
            for owner in {run.owner for run in runs}:
                self._refuse_a_second_run(owner)
            for run in runs:
                run.seen()
                self._runs[run.run_id] = run
        for run in runs:
            self._save(run)
        turns = [[run] for run in runs] if self.executor.queues_runs else [runs]  # On a cluster, all at once.
        for index, runs_in_turn in enumerate(turns):
            name = thread_name if len(turns) == 1 else f"{thread_name}-{index}"
            threading.Thread(target=self._execute_in_turn, args=(runs_in_turn,), name=name, daemon=True).start()

    def _execute_in_turn(self, runs: list[TrainingRun]) -> None:
        for run in runs:
            run.seen()  # Its wait for a page to watch it starts now, not when the sweep was queued.
            with self._lock:
                self._waiting.append(run)
            self._execute(run, "scratch")

    def training_member(self, run: TrainingRun) -> TrainingRun | None:
        """The run of the same sweep that is queued or training now, if any (pages follow a sweep with it)."""
        with self._lock:
            return next((other for other in self._runs.values()
                         if run.sweep and other.sweep == run.sweep and other.is_active), None)

    def keep_finished(self, run: TrainingRun, message: str) -> None:
        """Save and keep a run that finished without training here (a model trained elsewhere, say)."""
        run.settle(RunState.FINISHED, message)
        run.settle(RunState.FINISHED, self._save(run, with_model=True))
        with self._lock:
            self._runs[run.run_id] = run
            self._forget_old_runs()

    def continue_run(self, run: TrainingRun, owner: str, more_epochs: int) -> None:
        """Train a finished, stopped or interrupted run for `more_epochs` more epochs, from where it ended: same
        weights, same optimizer state (an interrupted run's from its checkpoint), its curves carrying on. It queues
        like a new run.

        The run is claimed (queued) before anything else, so a second tab cannot continue it too; any refusal puts it
        back as it was.
        """
        if not is_whole_number(more_epochs) or more_epochs < 1:
            raise ValueError(f"continue for a whole number of epochs, at least 1, got {more_epochs!r}.")
        with self._lock:
            if run.state not in CONTINUABLE_STATES:
                raise ValueError(f"only a finished, stopped or interrupted run can continue; this one is "
                                 f"{run.state.value}.")
            self._refuse_a_second_run(owner)
            previous, run.state = run.state, RunState.QUEUED
        try:
            start_from, epochs = self._continuation_start(run, previous)
            kept = run.history.rewind_to(epochs)
            run.config = replace(run.config, epochs=kept + more_epochs)
            run.owner, run.orphaned, run.model = owner, False, None
            run.stop_requested.clear()
            run.message, run.settled_at, run.test_loss, run.test_accuracy = "", None, None, None
            self._enqueue(run, start_from)
        except Exception:
            run.state = previous
            raise

    def _continuation_start(self, run: TrainingRun, previous: RunState) -> tuple[str, int]:
        """Where a continued run's model comes from, and how many of its epochs that model has trained; a ValueError
        when it has none to continue. An interrupted run goes on from its checkpoint, or from the model it had
        before (it was interrupted while queued to continue), or else from the start."""
        has_model = self.storage is not None and self.storage.model_path(run.run_id) is not None
        if previous is RunState.INTERRUPTED:
            if run.checkpoint_epoch and self.storage.checkpoint_path(run.run_id, run.checkpoint_epoch).exists():
                return "checkpoint", run.checkpoint_epoch
            return ("model", len(run.history.snapshot().epochs)) if has_model else ("scratch", 0)
        if not has_model:
            raise ValueError("this run kept no trained model, so it cannot continue; start a new run.")
        return "model", len(run.history.snapshot().epochs)

    def stop(self, run: TrainingRun) -> None:
        """Stop a run; for a sweep, every run of it still to come as well."""
        with self._lock:
            siblings = [other for other in self._runs.values() if run.sweep and other.sweep == run.sweep]
        for other in [run, *siblings]:
            if other.is_active:
                other.request_stop()

    def _enqueue(self, run: TrainingRun, start_from: str) -> None:
        """Put the run in the queue (and its record on disk) and start the thread that follows it; its job goes to
        the executor when its turn comes."""
        run.seen()
        self._start_watchdog()
        with self._lock:
            self._refuse_a_second_run(run.owner, run)
            self._runs[run.run_id] = run
            self._waiting.append(run)
        self._save(run)
        try:
            threading.Thread(target=self._execute, args=(run, start_from), name=f"keras-lab-run-{run.run_id}",
                             daemon=True).start()
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
                    run.request_stop(f"because no page showed it for {self.orphan_seconds:g} s (it is kept, and "
                                     f"can continue)")

    def _refuse_a_second_run(self, owner: str, run: TrainingRun | None = None) -> None:
        """Each visitor trains one run at a time. Call with the lock held."""
        if any(other.owner == owner and other.is_active and other is not run for other in self._runs.values()):
            raise ValueError("you already have a run training: stop it or wait for it to end, then start again.")

    def get(self, run_id: str) -> TrainingRun | None:
        """The run, from memory or else from storage (after a restart, say); None for an unknown or unreadable id,
        and for a run that another living process is training (it shows once it settles).

        A run recorded as active whose process died is interrupted (so it is shown, and so its record now says),
        unless the executor still trains it (a Ray cluster's outlives its server): this registry then follows it.
        """
        with self._lock:
            if run_id in self._runs:
                return self._runs[run_id]
        if self.storage is None or not RUN_ID_PATTERN.fullmatch(run_id):
            return None
        try:
            restored = self._restore(run_id)
        except Exception:  # A damaged or foreign run.json, whatever its shape, is no run.
            return None
        if restored is None:
            return None
        with self._lock:
            run = self._runs.setdefault(run_id, restored)
            rejoined = run is restored and run.is_active
            if rejoined:
                self._training += 1  # As `_wait_for_slot` counts a run it hands over.
            self._forget_old_runs()
        if rejoined:
            threading.Thread(target=self._follow_again, args=(run,), name=f"keras-lab-rejoin-{run_id}",
                             daemon=True).start()
        return run

    def _restore(self, run_id: str) -> TrainingRun | None:
        """The stored run; an active one only when the executor still trains it (this registry follows it again),
        else it is interrupted, or None while another living process trains it."""
        record = self.storage.load_record(run_id)
        if record is None:
            return None
        orphaned = is_orphaned_record(record)
        if orphaned and self.executor.still_trains(run_id):
            run = TrainingRun.from_record(record)
            run.state = RunState.RUNNING if run.state is RunState.QUEUED else run.state  # Its actor has the job.
            run.seen()  # A page had it a moment ago, before the server stopped.
            return run
        if orphaned:
            record = interrupted_record(record)
            self.storage.save_record(run_id, record)
        run = TrainingRun.from_record(record)
        return None if run.is_active else run

    def rejoin_runs(self) -> list[TrainingRun]:
        """At a server's start: follow again the runs an earlier server left training on a cluster, before anyone
        opens a page; the others recorded as active become interrupted (see `get`)."""
        if self.storage is None or not self.executor.runs_outlive_server:
            return []
        active = [run_id for run_id in self.storage.run_ids() if is_recorded_active(self.storage, run_id)]
        return [run for run_id in active if (run := self.get(run_id)) is not None and run.is_active]

    def runs_of(self, *owners: str) -> list[TrainingRun]:
        """The visitors' runs, newest first: the ones in memory and the ones kept on disk (after a restart, say)."""
        stored = self.storage.run_ids() if self.storage is not None else []
        with self._lock:
            in_memory = set(self._runs)
        runs = [self.get(run_id) for run_id in set(stored) | in_memory]
        return sorted((run for run in runs if run is not None and run.owner in owners),
                      key=lambda run: run.created_at, reverse=True)

    def rename(self, run: TrainingRun, name: str) -> None:
        """Give a run a name (up to 80 characters); a settled run's record on disk is updated too."""
        name = " ".join(name.split())
        if len(name) > 80:
            raise ValueError(f"a run's name can have at most 80 characters; this one has {len(name)}.")
        run.given_name = name
        if run.saved and not run.is_active and self.storage is not None:
            try:
                self.storage.save_record(run.run_id, run.to_record(), create=False)
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
        """The run's Keras model, loaded from disk (into this process: the Predict page's) the first time.

        None when there is none, or when its file cannot be read (damaged, or saved by another Keras).
        """
        if run.model is None and not run.is_active:
            run.model = self._model_from_disk(run)
        return run.model

    def _model_from_disk(self, run: TrainingRun) -> Any | None:
        """The saved model with its optimizer state (an interrupted run's checkpoint, when it has one); None when there
        is none or its file cannot be read."""
        if self.storage is None:
            return None
        interrupted = run.state is RunState.INTERRUPTED and run.checkpoint_epoch
        try:
            return self.storage.load_model(run.run_id, run.checkpoint_epoch if interrupted else None)
        except Exception:  # Whatever Keras raises for an unreadable file (damaged, or saved by another Keras).
            return None

    def queue_position(self, run: TrainingRun) -> int:
        """How many runs are ahead of this one in the queue (0 when it is next, or not queued)."""
        with self._lock:
            return self._waiting.index(run) if run in self._waiting else 0

    def _execute(self, run: TrainingRun, start_from: str) -> None:
        if not self._wait_for_slot(run):
            run.settle(RunState.STOPPED, f"ended before it started, {run.stop_reason}.")
            run.settle(RunState.STOPPED, self._save(run))
            return
        try:
            self._train(run, start_from)
        finally:
            self._release_slot()

    def _release_slot(self) -> None:
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

    def _train(self, run: TrainingRun, start_from: str) -> None:
        """Hand the run to the executor and follow it to its end."""
        job = TrainingJob(run, None if self.storage is None else self.storage.root, start_from)
        run.cold_start = not self.executor.is_warm(job)
        run.state = RunState.RUNNING
        self._see_through(run, lambda hear: self.executor.train(job, hear))

    def _follow_again(self, run: TrainingRun) -> None:
        """Follow a run an earlier server started, which the executor still trains, to its end (see `get`)."""
        job = TrainingJob(run, None if self.storage is None else self.storage.root)
        try:
            self._see_through(run, lambda hear: self.executor.rejoin(job, hear))
        finally:
            self._release_slot()

    def _see_through(self, run: TrainingRun, follow: Callable[[Emit], None]) -> None:
        """Follow the run to its end (`follow` hands the executor its job and `hear`); a lost worker fails only this
        run, with why. A run its job settled is never failed after: its learner may be continuing it already."""
        settled = False

        def hear(event: Event) -> None:
            nonlocal settled
            apply_event(run, event)
            settled = settled or event["event"] == "settled"

        reason = None
        try:
            follow(hear)
        except WorkerLost as lost:
            reason = lost.reason
        except Exception as error:  # The executor itself broke: this run ends with words; the server lives on.
            reason = f"the run could not be trained: {error}"
        if not settled and (reason is not None or run.is_active):
            self._fail(run, reason or "the training process ended without a word about this run.")

    def _fail(self, run: TrainingRun, reason: str) -> None:
        run.settle(RunState.FAILED, reason)
        run.settle(RunState.FAILED, self._save(run))

    def _save(self, run: TrainingRun, with_model: bool = False) -> str:
        """Write the run's record as it is now (and its model, for one trained elsewhere); returns its message, with
        a sentence added when saving failed."""
        if self.storage is None:
            return run.message
        try:
            self.storage.save(run.run_id, run.to_record(), run.model if with_model else None)
        except Exception as error:  # A run that could not be saved still ends, and says so.
            return f"{run.message} The run could not be saved: {error}".strip()
        run.saved = run.saved or not run.is_active or with_model
        return run.message

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
