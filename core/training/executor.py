"""How a run gets trained: the registry hands each run to an executor as a `TrainingJob`, and the executor trains
it somewhere (the embedded `core.training.worker_pool.WorkerPool` trains it in a warm worker process on this
machine) and reports back.

The contract, which a second executor (a Ray cluster, say) implements as it is:
- `train(job, on_event)` blocks until the job has settled. Every event the job emits (see `core.training.events`)
  reaches `on_event` in the calling thread, `settled` last. Meanwhile the executor watches the run's controls
  (`ControlWatcher`) and carries each pause, resume and stop to the job.
- When whatever trained the job dies before `settled`, `train` raises `WorkerLost` with the reason in words; the
  registry settles the run as failed with it. The executor replaces what died; other jobs train on.
- `is_warm()` says whether a job would start now without paying a framework import first; `close()` lets go of
  every process.
- Where runs outlive the server (a cluster's), `still_trains(run_id)` says whether a run that a stopped server
  started still trains, and `rejoin(job, on_event)` follows it as `train` does; a restarted server asks before it
  marks such a run interrupted.
The job itself keeps the run's folder current where it trains; an executor that trains on other machines copies it
back (see `core.training.ray_executor`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.training.events import Emit, Event
from core.training.execution import backend_for
from core.training.job import START_FROM
from core.training.run import RunState, TrainingRun


@dataclass(frozen=True)
class TrainingJob:
    """One run to train: the run (whose controls the executor watches), the folder its record lives in (None: keep
    nothing on disk), and where its model comes from (one of `core.training.job.START_FROM`)."""

    run: TrainingRun
    runs_folder: Path | None
    start_from: str = "scratch"

    def __post_init__(self) -> None:
        if self.start_from not in START_FROM:
            raise ValueError(f"a job starts from one of {', '.join(START_FROM)}, not {self.start_from!r}.")

    @property
    def backend(self) -> str:
        """The Keras backend the job trains on (see `core.training.execution`)."""
        return backend_for(self.run.spec)

    def to_message(self) -> dict[str, Any]:
        """The job as JSON-ready data, for the process that trains it (see `core.training.worker`)."""
        return {"record": self.run.to_record(), "runs_folder": None if self.runs_folder is None else str(self.runs_folder),
                "start_from": self.start_from}


class WorkerLost(Exception):
    """What trained a job died before the job settled; `reason` says how, in words a learner can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Executor(ABC):
    """Trains jobs somewhere other than the server's own process (see the module's docstring for the contract)."""

    queues_runs = False
    """True for an executor that queues jobs for its resources itself (a cluster's scheduler): the registry then
    hands it every run at once, and a sweep's runs together."""

    @abstractmethod
    def train(self, job: TrainingJob, on_event: Emit) -> None:
        """Train the job to its end; raises WorkerLost when the process training it died."""

    @abstractmethod
    def is_warm(self, job: TrainingJob) -> bool:
        """Whether `job` would start now, its framework already imported."""

    def gpus_available(self) -> int:
        """How many GPUs a run could ask for (the Train page offers the choice only then): none for an executor on
        this machine, whose runs use whatever devices Keras finds."""
        return 0

    runs_outlive_server = False
    """True for an executor whose runs train on when the server stops (a cluster's): see `still_trains`."""

    def still_trains(self, run_id: str) -> bool:
        """Whether a run recorded as training by a server that stopped is still trained by this executor (a
        cluster's runs outlive the server), so that `rejoin` follows it: never for an executor on this machine,
        whose workers end with their server."""
        return False

    def rejoin(self, job: TrainingJob, on_event: Emit) -> None:
        """Follow a run for which `still_trains` said yes to its end, as `train` does."""
        raise WorkerLost("this server's executor cannot follow a run that an earlier server started.")

    @abstractmethod
    def close(self) -> None:
        """Stop every process this executor started."""


class ControlWatcher:
    """The commands that tell a job what its run's controls say now: each pause, resume and stop once, in order."""

    def __init__(self, run: TrainingRun) -> None:
        self.run = run
        self._paused = False
        self._stopped = False

    def pending(self) -> list[Event]:
        commands = []
        if self.run.stop_requested.is_set() and not self._stopped:
            self._stopped = True
            commands.append({"command": "stop", "reason": self.run.stop_reason})
        paused = self.run.state is RunState.PAUSED and not self.run.resumed.is_set()
        if paused != self._paused and not self._stopped:
            self._paused = paused
            commands.append({"command": "pause" if paused else "resume"})
        return commands


def apply_command(run: TrainingRun, command: Event) -> None:
    """What a job's process does with a command from `ControlWatcher`; an unknown one is a ValueError."""
    kind = command.get("command")
    if kind == "stop":
        run.request_stop(command["reason"])
    elif kind == "pause":
        run.pause()
    elif kind == "resume":
        run.resume()
    else:
        raise ValueError(f"a training job was sent a command it does not know: {kind!r}.")
