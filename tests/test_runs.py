import json

import numpy as np

from conftest import wait_until
from core.datasets import load_dataset
from core.inference import predict_probabilities
from core.presets import get_preset
from core.runs import RunRegistry, RunState
from core.specs import ModelSpec, TrainingConfig
from core.storage import RunStorage

SPIRAL = get_preset("spiral-dense10")


def start_spiral(registry: RunRegistry, epochs: int):
    return registry.start("tester", SPIRAL.name, SPIRAL.dataset, SPIRAL.spec, TrainingConfig(epochs=epochs, batch_size=50))


def test_a_run_trains_in_the_background_and_is_saved(tmp_path):
    storage = RunStorage(tmp_path)
    run = start_spiral(RunRegistry(storage), epochs=4)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED, run.message
    assert len(run.history.snapshot().epochs) == 4 and run.test_accuracy is not None
    assert run.dataset_source.startswith("generated") and run.train_size == 300

    record = storage.load_record(run.run_id)
    assert record["state"] == "finished" and record["test_accuracy"] == run.test_accuracy
    assert len(record["history"]["epochs"]) == 4 and ModelSpec.from_dict(record["spec"]) == SPIRAL.spec
    assert json.loads((tmp_path / run.run_id / "run.json").read_text())["preset"] == "spiral-dense10"
    examples = load_dataset("spiral").x_test[:5]
    np.testing.assert_allclose(
        predict_probabilities(storage.load_model(run.run_id), SPIRAL.spec, examples),
        predict_probabilities(run.model, SPIRAL.spec, examples),
        rtol=1e-5,
    )


def test_runs_beyond_the_limit_wait_in_the_queue_and_stop_works(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path), max_concurrent=1)
    first = start_spiral(registry, epochs=5000)
    wait_until(lambda: first.history.snapshot().steps_done > 0)
    second = start_spiral(registry, epochs=5000)
    third = start_spiral(registry, epochs=5000)
    assert first.state is RunState.RUNNING and second.state is third.state is RunState.QUEUED
    assert (registry.queue_position(second), registry.queue_position(third)) == (0, 1)

    third.request_stop()
    wait_until(lambda: third.state is RunState.STOPPED)
    assert third.message == "stopped before it started." and third.history.snapshot().steps_done == 0
    assert first.state is RunState.RUNNING and registry.queue_position(second) == 0

    first.request_stop()
    wait_until(lambda: second.state is RunState.RUNNING and second.history.snapshot().steps_done > 0)
    assert first.state is RunState.STOPPED and "stopped after" in first.message
    second.request_stop()
    wait_until(lambda: not second.is_active)
    assert second.state is RunState.STOPPED and second.model is not None


def test_a_failing_run_ends_with_a_message_and_the_registry_lives_on(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    mnist = get_preset("mnist-dense512")
    broken = registry.start("tester", mnist.name, "spiral", mnist.spec, TrainingConfig(epochs=1, batch_size=50))
    wait_until(lambda: not broken.is_active)
    assert broken.state is RunState.FAILED
    assert broken.message.startswith("the model takes inputs of shape (784,)")
    assert RunStorage(tmp_path).load_record(broken.run_id)["state"] == "failed"
    healthy = start_spiral(registry, epochs=1)
    wait_until(lambda: not healthy.is_active)
    assert healthy.state is RunState.FINISHED
