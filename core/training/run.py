"""A training run: what is trained, how, and what came of it, with the states it moves through.

The server holds one `TrainingRun` per run and a worker process holds its own copy while it trains it (see
`core.training.executor`); events keep the server's copy current. Pages read it, pause, resume or stop it, and its
folder keeps the JSON record `to_record` writes (see `core.training.storage`). Nothing here imports Keras.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from core.data.catalogue import is_dataset_name
from core.models.spec import ModelSpec, TrainingConfig
from core.training.history import RunHistory


class RunState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """The process that trained it (or the server that queued it) died: its epochs and checkpoint are kept."""


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING, RunState.PAUSED)
CONTINUABLE_STATES = (RunState.FINISHED, RunState.STOPPED, RunState.INTERRUPTED)


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass(eq=False)
class TrainingRun:
    """One run: what is trained, how, and what came of it.

    Events from the process that trains it write the outcome. Pages read it, ask it to stop, and may load its saved
    model.
    """

    run_id: str
    owner: str
    preset_name: str
    """The preset the run started from (or "custom spec"): its name, as `core.models.presets.PRESETS` keys it."""
    dataset_name: str
    """The dataset it trains on, by name (`core.data.catalogue.load_dataset` loads it)."""
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
    settled_at: float | None = None
    saved: bool = False
    given_name: str = ""
    """The name the learner gave the run; empty until they do (`display_name` is what pages show)."""
    sweep: str = ""
    """The sweep this run belongs to (its id), and this run's values of the settings it varies."""
    sweep_values: dict[str, float] = field(default_factory=dict)
    hardware: str = ""
    """Where it trained (machine, CPUs, devices, Keras and backend), written when training starts."""
    last_seen: float = field(default_factory=time.time)
    """When a page last showed this run: a run nobody watches for long is stopped (see `RunRegistry`)."""
    orphaned: bool = False
    diverged: bool = False
    """Its loss became NaN or infinite: the page offers to retry with a smaller learning rate."""
    cold_start: bool = False
    """Its job found no warm worker, so it waits for a framework import first (pages say so)."""
    starting_note: str = ""
    """What its executor says while the run waits to start ('waiting for the Ray cluster ...'); pages show it."""
    checkpoint_epoch: int = 0
    """The epoch whose model and optimizer state the run's checkpoint holds (0: none yet); an interrupted run
    continues from there."""
    model: Any = field(default=None, repr=False)
    regions: Any = field(default=None, repr=False)
    """The latest `DecisionRegions` drawn while training on 2-D points (the spiral); None for other data."""
    stop_reason: str = "at your request"
    """Why a stop was asked for, as the end of the sentence saying how the run ended."""
    stop_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    resumed: threading.Event = field(default_factory=_set_event, repr=False)
    """Cleared while the run is paused: its training waits at the start of the next batch."""
    _state_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def model_epochs(self) -> int:
        """The epochs the run's model has trained: an interrupted run's model is its checkpoint's."""
        if self.state is RunState.INTERRUPTED and self.checkpoint_epoch:
            return self.checkpoint_epoch
        return len(self.history.snapshot().epochs)

    @property
    def display_name(self) -> str:
        """The learner's name for the run, else its model and start time."""
        started = time.strftime("%d %b %H:%M:%S", time.localtime(self.created_at))
        return self.given_name or f"{self.preset_name} · {started}"

    def request_stop(self, reason: str = "at your request") -> None:
        """Ask the run to stop within a batch or two; a queued run leaves the queue, a paused one wakes to stop."""
        self.stop_reason = reason
        self.stop_requested.set()
        self.resumed.set()

    def seen(self) -> None:
        self.last_seen = time.time()

    def pause(self) -> bool:
        """Hold a training run before its next batch; False when it is not training (queued or already ended)."""
        with self._state_lock:
            if self.state is not RunState.RUNNING:
                return False
            self.resumed.clear()
            self.state = RunState.PAUSED
            return True

    def resume(self) -> None:
        with self._state_lock:
            if self.state is RunState.PAUSED:
                self.state = RunState.RUNNING
                self.resumed.set()

    def settle(self, state: RunState, message: str = "") -> None:
        """End the run. The message goes first, so whoever sees the final state also sees why."""
        with self._state_lock:
            self.message = message
            self.settled_at = time.time()
            self.state = state
            self.resumed.set()

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TrainingRun:
        """A settled run as `to_record` saved it (an active one as its job: see `core.training.job`); its model stays
        on disk until someone asks for it.

        Raises ValueError for a record that no run of this version could have written.
        """
        if not is_dataset_name(record["dataset"]):
            raise ValueError(f"run {record['run_id']} was saved {record['state']} on dataset {record['dataset']}.")
        run = cls(
            run_id=record["run_id"],
            owner=record.get("owner", ""),
            given_name=record.get("title", ""),
            sweep=record.get("sweep", ""),
            sweep_values=record.get("sweep_values", {}),
            hardware=record.get("hardware", ""),
            preset_name=record["preset"],
            dataset_name=record["dataset"],
            spec=ModelSpec.from_dict(record["spec"]),
            config=TrainingConfig.from_dict(record["config"]),
            history=RunHistory.from_dict(record["history"]),
            state=RunState(record["state"]),
            message=record["message"],
            dataset_source=record["dataset_source"],
            train_size=record["train_size"],
            test_size=record["test_size"],
            test_loss=record["test_loss"],
            test_accuracy=record["test_accuracy"],
            created_at=record["created_at"],
            settled_at=record.get("settled_at", record["created_at"]),
            checkpoint_epoch=record.get("checkpoint_epoch", 0),
            diverged=record.get("diverged", False),
            saved=True,
        )
        if run.state is RunState.PAUSED:
            run.resumed.clear()  # A paused run restored as its job (a worker, a rejoined actor) waits to resume.
        return run

    def to_record(self) -> dict[str, Any]:
        """Everything about the run except the model, as JSON-ready data.

        The keys "title", "preset" and "dataset" are those of every run.json written so far, so old runs still open.
        "pid" and "host" name the process writing it: for an active run, the one responsible for it (see
        `core.training.recovery`).
        """
        return {
            "run_id": self.run_id,
            "owner": self.owner,
            "title": self.given_name,
            "sweep": self.sweep,
            "sweep_values": self.sweep_values,
            "hardware": self.hardware,
            "preset": self.preset_name,
            "dataset": self.dataset_name,
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
            "settled_at": self.settled_at,
            "checkpoint_epoch": self.checkpoint_epoch,
            "diverged": self.diverged,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "updated_at": time.time(),
        }
