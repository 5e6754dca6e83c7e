"""What a job tells the server about its run, as JSON-ready events, and how the server's copy of the run takes them.

A job emits `started` once its data is loaded, `progress` with the history's changes a few times a second and at
every epoch's end, `regions` for a run on 2-D points, and `settled` last. An executor carries them from wherever
the job trains (a worker process here, a Ray actor elsewhere) to `apply_event`. Nothing here imports Keras.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from core.predict.regions import DecisionRegions, regions_from_dict, regions_to_dict
from core.training.run import RunState, TrainingRun

Event = dict[str, Any]
Emit = Callable[[Event], None]


def started_event(run: TrainingRun) -> Event:
    return {"event": "started", "hardware": run.hardware, "dataset_source": run.dataset_source,
            "train_size": run.train_size, "test_size": run.test_size}


def regions_event(regions: DecisionRegions) -> Event:
    return {"event": "regions", "regions": regions_to_dict(regions)}


def settled_event(run: TrainingRun) -> Event:
    return {"event": "settled", "state": run.state.value, "message": run.message, "test_loss": run.test_loss,
            "test_accuracy": run.test_accuracy, "diverged": run.diverged, "saved": run.saved,
            "checkpoint_epoch": run.checkpoint_epoch}


class ProgressSender:
    """Sends a run's history as it grows, each batch and epoch once, from whichever thread calls `send`."""

    def __init__(self, run: TrainingRun, emit: Emit) -> None:
        self.run = run
        self.emit = emit
        self._sent = (0, 0)
        self._lock = threading.Lock()

    def send(self) -> None:
        with self._lock:
            changes = self.run.history.changes_since(*self._sent)
            unchanged = (changes["from_batch"], changes["from_epoch"]) == self._sent != (0, 0)
            if unchanged and not changes["batches"] and not changes["epochs"]:
                return
            self._sent = (changes["from_batch"] + len(changes["batches"]),
                          changes["from_epoch"] + len(changes["epochs"]))
            self.emit({"event": "progress", "history": changes, "checkpoint_epoch": self.run.checkpoint_epoch})


def apply_event(run: TrainingRun, event: Event) -> None:
    """Bring the server's run up to date with one event from its job; an unknown event is a ValueError."""
    kind = event.get("event")
    if kind == "started":
        run.hardware, run.dataset_source = event["hardware"], event["dataset_source"]
        run.train_size, run.test_size = event["train_size"], event["test_size"]
    elif kind == "progress":
        run.history.apply_changes(event["history"])
        run.checkpoint_epoch = event["checkpoint_epoch"]
    elif kind == "regions":
        run.regions = regions_from_dict(event["regions"])
    elif kind == "settled":
        run.test_loss, run.test_accuracy = event["test_loss"], event["test_accuracy"]
        run.diverged, run.saved, run.checkpoint_epoch = event["diverged"], event["saved"], event["checkpoint_epoch"]
        run.settle(RunState(event["state"]), event["message"])
    else:
        raise ValueError(f"a training job sent an event this server does not know: {kind!r}.")
