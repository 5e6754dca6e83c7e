"""Training runs that live beside Streamlit's reruns: each run is a daemon thread owned by a `RunRegistry`.

A page starts a run and then only reads it (its state and a snapshot of its history), so clicking widgets
or switching pages never touches the training. A bounded number of runs train at once; the rest wait in
the queue, in order. Nothing here imports Keras until a run actually trains.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from core.datasets import load_dataset
from core.history import RunHistory
from core.specs import ModelSpec, TrainingConfig
from core.storage import RunStorage


class RunState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)
QUEUE_POLL_SECONDS = 0.2
"""How often a queued run checks whether it was stopped while waiting for a slot."""


@dataclass(eq=False)
class TrainingRun:
    """One run: what is trained, how, and what came of it. The training thread is its only writer."""

    run_id: str
    owner: str
    preset: str
    dataset: str
    spec: ModelSpec
    config: TrainingConfig
    history: RunHistory = field(default_factory=RunHistory)
    state: RunState = RunState.QUEUED
    message: str = ""
    dataset_source: str = ""
    train_size: int = 0
    test_size: int = 0
    test_loss: float | None = None
    test_accuracy: float | None = None
    created_at: float = field(default_factory=time.time)
    model: Any = field(default=None, repr=False)
    stop_requested: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def request_stop(self) -> None:
        """Ask the run to stop after the current batch; a queued run never starts."""
        self.stop_requested.set()

    def to_record(self) -> dict[str, Any]:
        """Everything about the run except the model, as JSON-ready data."""
        return {
            "run_id": self.run_id,
            "preset": self.preset,
            "dataset": self.dataset,
            "dataset_source": self.dataset_source,
            "train_size": self.train_size,
            "test_size": self.test_size,
            "state": self.state.value,
            "message": self.message,
            "spec": self.spec.to_dict(),
            "config": self.config.to_dict(),
            "history": self.history.to_dict(),
            "test_loss": self.test_loss,
            "test_accuracy": self.test_accuracy,
            "created_at": self.created_at,
        }


def new_run_id() -> str:
    """Sortable by start time and unique enough for one server: `20261123-181500-3fa9c1`."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def describe_failure(error: BaseException) -> str:
    """A sentence a learner can act on instead of a traceback."""
    if isinstance(error, MemoryError) or "ResourceExhausted" in type(error).__name__:
        return "training ran out of memory: use a smaller batch size or a smaller model."
    first_line = (str(error).strip().splitlines() or [""])[0]
    if isinstance(error, ValueError) and first_line:  # Keras Lab's own and Keras's bad-setting messages.
        return first_line
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


class RunRegistry:
    """All runs of one process. Pages share it (through `st.cache_resource`); at most `max_concurrent` train."""

    def __init__(self, storage: RunStorage | None = None, max_concurrent: int = 2) -> None:
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, got {max_concurrent}.")
        self.storage = storage
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._runs: dict[str, TrainingRun] = {}
        self._lock = threading.Lock()

    def start(
        self, owner: str, preset: str, dataset: str, spec: ModelSpec, config: TrainingConfig
    ) -> TrainingRun:
        """Queue a new run and start its thread; it trains as soon as a slot is free."""
        run = TrainingRun(run_id=new_run_id(), owner=owner, preset=preset, dataset=dataset, spec=spec, config=config)
        with self._lock:
            self._runs[run.run_id] = run
        threading.Thread(target=self._execute, args=(run,), name=f"keras-lab-run-{run.run_id}", daemon=True).start()
        return run

    def get(self, run_id: str) -> TrainingRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def queue_position(self, run: TrainingRun) -> int:
        """How many queued runs were started before this one (0 when it is next, or not queued)."""
        with self._lock:
            return sum(
                1
                for other in self._runs.values()
                if other.state is RunState.QUEUED and other.created_at < run.created_at
            )

    def _execute(self, run: TrainingRun) -> None:
        while not self._slots.acquire(timeout=QUEUE_POLL_SECONDS):
            if run.stop_requested.is_set():
                run.state, run.message = RunState.STOPPED, "stopped before it started."
                return
        try:
            run.state = RunState.RUNNING
            try:
                final_state = self._train(run)
            except Exception as error:  # Any failure ends this run with a message; the server lives on.
                final_state, run.message = RunState.FAILED, describe_failure(error)
            self._save(run, final_state)
            run.state = final_state  # Last: whoever sees the run settled can also find it on disk.
        finally:
            self._slots.release()

    def _train(self, run: TrainingRun) -> RunState:
        from core.training import train_model  # Imports Keras, in this thread, only when a run trains.

        dataset = load_dataset(run.dataset)
        run.dataset_source, run.train_size, run.test_size = dataset.source, dataset.train_size, dataset.test_size
        result = train_model(run.spec, run.config, dataset, run.history, run.stop_requested)
        run.model, run.test_loss, run.test_accuracy = result.model, result.test_loss, result.test_accuracy
        if result.stopped_early:
            run.message = f"stopped after {len(run.history.epochs)} epoch(s)."
            return RunState.STOPPED
        return RunState.FINISHED

    def _save(self, run: TrainingRun, final_state: RunState) -> None:
        if self.storage is None:
            return
        try:
            self.storage.save(run.run_id, {**run.to_record(), "state": final_state.value}, run.model)
        except OSError as error:
            run.message = f"{run.message} The run could not be saved: {error}".strip()
