"""Starting real spiral runs in a registry, as the training tests do: 300 points in batches of 50 train in
milliseconds per epoch, so a test can train hundreds of epochs or stop one halfway."""

import time

from core.models.presets import get_preset
from core.models.spec import TrainingConfig
from core.training.registry import RunRegistry
from core.training.run import RunState, TrainingRun

SPIRAL = get_preset("spiral-dense10")
BATCHES = 6
"""Batches per spiral epoch: 300 points in batches of 50."""


def start_spiral(registry: RunRegistry, epochs: int, owner: str = "tester", seed: int = 0) -> TrainingRun:
    return registry.start(owner, SPIRAL.name, SPIRAL.dataset_name, SPIRAL.spec,
                          TrainingConfig(epochs=epochs, batch_size=50, seed=seed))


def epochs_done(run: TrainingRun) -> int:
    return len(run.history.snapshot().epochs)


def assert_pause_holds(run: TrainingRun) -> int:
    """Pause a run training in another process and check that no step follows; returns the steps done."""
    assert run.pause() and run.state is RunState.PAUSED
    time.sleep(1.0)  # The command's way to the process, the batch in progress, and its numbers' way back.
    held = run.history.snapshot().steps_done
    time.sleep(1.0)
    assert run.history.snapshot().steps_done == held, "no step while paused"
    return held
