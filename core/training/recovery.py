"""Finding runs again after the process that trained them died: a record still saying queued, running or paused
whose writer (the worker training it, or the server that queued it) no longer lives is an *interrupted* run.

Its epochs so far stay, and so does its checkpoint, from which Continue training carries on (see
`core.training.registry`). A record whose writer still lives belongs to another process (the CLI, say) and is
left to it. Nothing here imports Keras.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from core.training.processes import process_is_alive
from core.training.run import ACTIVE_STATES, RunState
from core.training.storage import RunStorage


def is_recorded_active(storage: RunStorage, run_id: str) -> bool:
    """Whether the run's record says queued, training or paused (False for a damaged or foreign one)."""
    try:
        record = storage.load_record(run_id)
        return record is not None and RunState(record["state"]) in ACTIVE_STATES
    except Exception:  # Whatever a damaged run.json raises, it is no run to follow.
        return False


def is_orphaned_record(record: dict[str, Any]) -> bool:
    """An active record whose writer is gone: dead on this machine, or written on another one (no executor here
    trains runs elsewhere), or by a version that wrote no process at all."""
    if RunState(record["state"]) not in ACTIVE_STATES:
        return False
    if record.get("host") != socket.gethostname() or "pid" not in record:
        return True
    return not process_is_alive(int(record["pid"]))


def interrupted_record(record: dict[str, Any]) -> dict[str, Any]:
    """The orphaned record as an interrupted run: its state, when it was last heard from, and what is kept."""
    epochs = len(record["history"]["epochs"])
    kept = min(record.get("checkpoint_epoch", 0), epochs)
    heard = time.strftime("%d %b at %H:%M", time.localtime(record.get("updated_at", record["created_at"])))
    if RunState(record["state"]) is RunState.QUEUED:
        message = (f"the server stopped before this run started (it was queued on {heard}); Continue training "
                   f"starts it from the beginning.")
    elif kept:
        message = (f"the server stopped during epoch {epochs + 1} (last heard from on {heard}); the model of epoch "
                   f"{kept} is kept, and Continue training carries on from there.")
    else:
        message = (f"the server stopped during epoch {epochs + 1} (last heard from on {heard}) before a checkpoint "
                   f"was written; Continue training starts it from the beginning.")
    return {**record, "state": RunState.INTERRUPTED.value, "message": message, "settled_at": time.time(),
            "checkpoint_epoch": kept}
