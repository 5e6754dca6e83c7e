"""Controlling training: seeds, early stopping, learning-rate schedules, pause and resume, continuing a run."""

import json
import time
from dataclasses import replace

import pytest
from conftest import wait_until
from run_support import BATCHES, SPIRAL, epochs_done, start_spiral

from core.data.catalogue import load_dataset
from core.models.editing import change_compile
from core.models.spec import TrainingConfig
from core.training.executor import ControlWatcher
from core.training.history import RunHistory
from core.training.registry import RunRegistry
from core.training.run import RunState, TrainingRun
from core.training.storage import RunStorage, new_run_id
from core.training.train import train_model

FROZEN = change_compile(SPIRAL.spec, optimizer="sgd", learning_rate=1e-12)
"""A learning rate so small that the loss cannot change in float32: nothing ever improves."""


def epoch_losses(config: TrainingConfig, spec=SPIRAL.spec) -> list[float]:
    history = RunHistory()
    train_model(spec, config, load_dataset("spiral"), history)
    return [record.loss for record in history.snapshot().epochs]


def test_the_same_seed_gives_the_same_curve_and_another_seed_another():
    config = TrainingConfig(epochs=4, batch_size=50, seed=3)
    assert epoch_losses(config) == epoch_losses(config)
    assert epoch_losses(config) != epoch_losses(replace(config, seed=4))


def test_early_stopping_ends_a_run_that_stops_improving_and_says_why():
    history = RunHistory()
    config = TrainingConfig(epochs=50, batch_size=50, early_stopping_patience=2, early_stopping_monitor="loss")
    result = train_model(FROZEN, config, load_dataset("spiral"), history)
    assert len(history.snapshot().epochs) == 3, "the first epoch sets the best; two more without improvement end it"
    assert result.note == ("early stopping ended it after epoch 3: loss had not improved for 2 epochs; the weights of "
                           "epoch 1 were kept.")
    assert not result.stopped_early, "ended by early stopping, not by the learner"


def test_early_stopping_on_validation_needs_validation_data():
    with pytest.raises(ValueError, match="early stopping watches val_loss, but this run keeps no validation data"):
        TrainingConfig(epochs=5, batch_size=50, early_stopping_patience=2)


@pytest.mark.parametrize(
    "schedule, expected",
    [
        ("constant", [0.01] * 6),
        ("step", [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]),
        ("plateau", [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]),
    ],
)
def test_learning_rate_schedules_are_recorded_epoch_by_epoch(schedule, expected):
    spec = change_compile(FROZEN, learning_rate=0.01) if schedule != "plateau" else change_compile(
        FROZEN, learning_rate=0.01 * (1 + 1e-9))
    history = RunHistory()
    config = TrainingConfig(epochs=6, batch_size=50, schedule=schedule, schedule_every=2, schedule_factor=0.5)
    if schedule == "plateau":
        spec = FROZEN
        history = RunHistory()
    train_model(spec, config, load_dataset("spiral"), history)
    rates = [record.learning_rate for record in history.snapshot().epochs]
    if schedule == "plateau":  # The loss never improves: the rate halves after every 2 epochs without progress.
        assert rates == pytest.approx([1e-12, 1e-12, 5e-13, 5e-13, 2.5e-13, 2.5e-13], rel=1e-5)
    else:
        assert rates == pytest.approx(expected, rel=1e-5)


def test_a_paused_run_trains_no_further_until_resumed(tmp_path):
    run = start_spiral(RunRegistry(RunStorage(tmp_path)), epochs=5000)
    wait_until(lambda: epochs_done(run) >= 2, timeout=60, every=0.02)
    assert run.pause() and run.state is RunState.PAUSED
    time.sleep(0.5)  # Long enough for the batch in progress to end.
    held = run.history.snapshot().steps_done
    time.sleep(1.0)
    assert run.history.snapshot().steps_done == held, "no step while paused"
    run.resume()
    wait_until(lambda: run.history.snapshot().steps_done > held + 2 * BATCHES, timeout=60, every=0.02)
    assert run.state is RunState.RUNNING
    run.pause()
    run.request_stop()  # Stopping a paused run wakes it to stop.
    wait_until(lambda: not run.is_active, timeout=60)
    assert run.state is RunState.STOPPED
    assert not run.pause(), "a run that has ended cannot be paused"


def test_a_run_recorded_paused_comes_back_paused_until_resumed():
    """As a restarted server finds a paused run on a cluster again: its resume must still reach the training."""
    run = TrainingRun(run_id=new_run_id(), owner="tester", preset_name=SPIRAL.name, dataset_name=SPIRAL.dataset_name,
                      spec=SPIRAL.spec, config=TrainingConfig(epochs=5, batch_size=50))
    run.state = RunState.RUNNING
    assert run.pause()
    restored = TrainingRun.from_record(json.loads(json.dumps(run.to_record())))  # As read from its run.json.
    assert restored.state is RunState.PAUSED and not restored.resumed.is_set(), "its training would not wait"
    assert ControlWatcher(restored).pending() == [{"command": "pause"}]
    restored.resume()
    assert restored.resumed.is_set() and ControlWatcher(restored).pending() == []


def optimizer_steps(registry: RunRegistry, run) -> int:
    """The optimizer's step count in the run's saved model (the model trained in a worker process)."""
    return int(registry.trained_model(run).optimizer.iterations.numpy())


def test_continuing_a_run_carries_on_its_curves_and_its_optimizer(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    run = start_spiral(registry, epochs=3)
    wait_until(lambda: not run.is_active)
    assert optimizer_steps(registry, run) == 3 * BATCHES
    first_losses = [record.loss for record in run.history.snapshot().epochs]

    registry.continue_run(run, "tester", 2)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED, run.message
    snapshot = run.history.snapshot()
    assert [record.epoch for record in snapshot.epochs] == [1, 2, 3, 4, 5]
    assert [record.loss for record in snapshot.epochs[:3]] == first_losses
    assert snapshot.steps_done == 5 * BATCHES and snapshot.total_epochs == 5
    assert optimizer_steps(registry, run) == 5 * BATCHES, "the optimizer carried on (its state was kept, not rebuilt)"
    assert RunStorage(tmp_path).load_record(run.run_id)["config"]["epochs"] == 5


def test_a_run_stopped_halfway_continues_from_its_last_whole_epoch(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    run = start_spiral(registry, epochs=5000)
    wait_until(lambda: epochs_done(run) >= 2, timeout=60, every=0.02)
    run.request_stop()
    wait_until(lambda: not run.is_active)
    whole = epochs_done(run)
    registry.continue_run(run, "tester", 2)
    wait_until(lambda: not run.is_active)
    snapshot = run.history.snapshot()
    assert [record.epoch for record in snapshot.epochs] == list(range(1, whole + 3))
    assert snapshot.steps_done == (whole + 2) * BATCHES, "the half epoch's batches were trained again, not kept twice"


def test_a_run_continues_after_a_server_restart(tmp_path):
    run = start_spiral(RunRegistry(RunStorage(tmp_path)), epochs=2)
    wait_until(lambda: not run.is_active)

    restarted = RunRegistry(RunStorage(tmp_path))
    restored = restarted.get(run.run_id)
    restarted.continue_run(restored, "someone", 1)
    wait_until(lambda: not restored.is_active)
    assert restored.state is RunState.FINISHED, restored.message
    assert epochs_done(restored) == 3 and optimizer_steps(restarted, restored) == 3 * BATCHES


@pytest.mark.parametrize("more", [0, -1, 2.5])
def test_continuing_needs_a_whole_number_of_epochs_and_a_settled_run(tmp_path, more):
    registry = RunRegistry(RunStorage(tmp_path))
    run = start_spiral(registry, epochs=1)
    wait_until(lambda: not run.is_active)
    with pytest.raises(ValueError, match="continue for a whole number of epochs"):
        registry.continue_run(run, "tester", more)
    busy = start_spiral(registry, epochs=5000, owner="other")
    with pytest.raises(ValueError, match="only a finished, stopped or interrupted run can continue; this one is"):
        registry.continue_run(busy, "other", 1)
    busy.request_stop()
    wait_until(lambda: not busy.is_active)


def test_a_run_whose_saved_model_is_damaged_fails_to_continue_and_says_why(tmp_path):
    storage = RunStorage(tmp_path)
    registry = RunRegistry(storage)
    run = start_spiral(registry, epochs=1)
    wait_until(lambda: not run.is_active)
    storage.model_path(run.run_id).write_bytes(b"not a zip archive")
    registry.continue_run(run, "tester", 1)
    wait_until(lambda: not run.is_active)
    assert (run.state, run.message) == (RunState.FAILED, "this run's trained model cannot be read, so it cannot "
                                                         "continue; start a new run.")
    assert epochs_done(run) == 1, "its epoch is kept"
    again = start_spiral(registry, epochs=1)
    wait_until(lambda: not again.is_active)
    assert again.state is RunState.FINISHED


def test_a_run_nobody_watches_is_stopped_and_kept_while_a_watched_one_trains_on(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path), orphan_seconds=1.0)
    watched, forgotten = start_spiral(registry, epochs=5000), start_spiral(registry, epochs=5000, owner="gone")
    deadline = time.monotonic() + 60.0
    while forgotten.is_active or time.monotonic() < deadline - 56.0:  # At least 4 s; a cold worker may take longer.
        assert time.monotonic() < deadline, "the forgotten run was never stopped"
        watched.seen()  # What the sidebar does each time it redraws.
        time.sleep(0.1)
    assert forgotten.state is RunState.STOPPED and "because no page showed it for 1 s" in forgotten.message
    assert RunStorage(tmp_path).load_record(forgotten.run_id)["state"] == "stopped"
    assert watched.state is RunState.RUNNING
    watched.request_stop()
    wait_until(lambda: not watched.is_active, timeout=30)


def test_a_run_continues_once_even_when_two_tabs_ask(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    run = start_spiral(registry, epochs=1)
    wait_until(lambda: not run.is_active)
    registry.continue_run(run, "tester", 400)
    with pytest.raises(ValueError, match="only a finished, stopped or interrupted run can continue; this one is"):
        registry.continue_run(run, "tester", 1)
    registry.stop(run)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.STOPPED


def test_a_refused_continuation_leaves_the_run_as_it_was(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    run = start_spiral(registry, epochs=1)
    wait_until(lambda: not run.is_active)
    busy = start_spiral(registry, epochs=5000)
    with pytest.raises(ValueError, match="you already have a run training"):
        registry.continue_run(run, "tester", 2)
    assert run.state is RunState.FINISHED
    busy.request_stop()
    wait_until(lambda: not busy.is_active)


def test_stopping_a_sweep_stops_the_runs_still_to_come(tmp_path):
    from core.training.sweeps import queue_sweep, sweep_variants

    registry = RunRegistry(RunStorage(tmp_path))
    variants = sweep_variants(SPIRAL.spec, TrainingConfig(epochs=400, batch_size=50), {"units": [4, 8, 16]})
    runs = queue_sweep(registry, "tester", SPIRAL.name, SPIRAL.dataset_name, variants)
    wait_until(lambda: runs[0].state is RunState.RUNNING, timeout=60)
    registry.stop(runs[0])
    wait_until(lambda: not any(run.is_active for run in runs), timeout=60)
    assert [run.state for run in runs] == [RunState.STOPPED] * 3
    assert runs[2].message == "ended before it started, at your request."


def test_sweep_runs_waiting_their_turn_are_not_stopped_as_unwatched(tmp_path):
    from core.training.sweeps import queue_sweep, sweep_variants

    registry = RunRegistry(RunStorage(tmp_path), orphan_seconds=1.0)
    variants = sweep_variants(SPIRAL.spec, TrainingConfig(epochs=40, batch_size=50), {"units": [4, 8]})
    runs = queue_sweep(registry, "tester", SPIRAL.name, SPIRAL.dataset_name, variants)
    while any(run.is_active for run in runs):
        next((run for run in runs if run.state is RunState.RUNNING), runs[0]).seen()  # The page follows the sweep.
        time.sleep(0.1)
    assert [run.state for run in runs] == [RunState.FINISHED] * 2, [run.message for run in runs]
