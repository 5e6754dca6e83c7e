import json

import numpy as np
import pytest
from conftest import wait_until
from run_support import SPIRAL, start_spiral

from core.data.catalogue import load_dataset
from core.models.presets import get_preset
from core.models.spec import ModelSpec, TrainingConfig
from core.predict.inference import accuracy_on, predict_all
from core.training import registry as runs
from core.training.registry import RunRegistry
from core.training.run import RunState, TrainingRun
from core.training.storage import RunStorage


def test_a_run_trains_in_the_background_and_is_saved(tmp_path):
    storage = RunStorage(tmp_path)
    registry = RunRegistry(storage)
    run = start_spiral(registry, epochs=4)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED, run.message
    assert len(run.history.snapshot().epochs) == 4 and run.test_accuracy is not None
    assert run.dataset_source.startswith("generated") and run.train_size == 300

    record = storage.load_record(run.run_id)
    assert record["state"] == "finished" and record["test_accuracy"] == run.test_accuracy
    assert len(record["history"]["epochs"]) == 4 and ModelSpec.from_dict(record["spec"]) == SPIRAL.spec
    assert json.loads((tmp_path / run.run_id / "run.json").read_text())["preset"] == "spiral-dense10"
    spiral = load_dataset("spiral")
    saved = registry.trained_model(run)
    assert accuracy_on(saved, SPIRAL.spec, spiral.x_test, spiral.y_test) == pytest.approx(run.test_accuracy, abs=1e-6), \
        "the saved model is the one the worker scored"


def test_runs_beyond_the_limit_wait_in_the_queue_in_order_and_stop_works(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path), max_concurrent=1)
    first = start_spiral(registry, epochs=5000, owner="ann")
    wait_until(lambda: first.history.snapshot().steps_done > 0)
    second = start_spiral(registry, epochs=5000, owner="bob")
    third = start_spiral(registry, epochs=5000, owner="cy")
    assert first.state is RunState.RUNNING and second.state is third.state is RunState.QUEUED
    assert (registry.queue_position(second), registry.queue_position(third)) == (0, 1)

    first.request_stop()
    wait_until(lambda: second.state is RunState.RUNNING and second.history.snapshot().steps_done > 0)
    assert first.state is RunState.STOPPED and first.message.endswith("at your request.")
    assert third.state is RunState.QUEUED and registry.queue_position(third) == 0, "first come, first served"

    third.request_stop()
    wait_until(lambda: third.state is RunState.STOPPED)
    assert third.message == "ended before it started, at your request."
    assert third.history.snapshot().steps_done == 0 and second.state is RunState.RUNNING
    second.request_stop()
    wait_until(lambda: not second.is_active)
    assert second.state is RunState.STOPPED and RunStorage(tmp_path).model_path(second.run_id) is not None


def test_a_failing_run_ends_with_a_message_and_the_registry_lives_on(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    mnist = get_preset("mnist-dense512")
    broken = registry.start("tester", mnist.name, "spiral", mnist.spec, TrainingConfig(epochs=1, batch_size=50))
    wait_until(lambda: not broken.is_active)
    assert broken.state is RunState.FAILED
    assert broken.message.startswith("The input shape (784,) holds 784 values")
    assert RunStorage(tmp_path).load_record(broken.run_id)["state"] == "failed"
    healthy = start_spiral(registry, epochs=1)
    wait_until(lambda: not healthy.is_active)
    assert healthy.state is RunState.FINISHED


def test_a_settled_run_is_found_again_after_a_server_restart(tmp_path):
    first = RunRegistry(RunStorage(tmp_path))
    run = start_spiral(first, epochs=3)
    wait_until(lambda: not run.is_active)

    restarted = RunRegistry(RunStorage(tmp_path))
    restored = restarted.get(run.run_id)
    assert restored is not None and restored is not run
    assert (restored.state, restored.test_accuracy, restored.spec) == (run.state, run.test_accuracy, run.spec)
    assert restored.history.snapshot().epochs == run.history.snapshot().epochs
    examples = load_dataset("spiral").x_test[:3]
    np.testing.assert_allclose(predict_all(restarted.trained_model(restored), SPIRAL.spec, examples),
                               predict_all(first.trained_model(run), SPIRAL.spec, examples), rtol=1e-5)


def test_a_run_on_uploaded_data_is_found_again_after_a_server_restart(tmp_path):
    """Runs name their dataset; an uploaded one's name (`upload-…`) must restore as well as a built-in one's."""
    from core.data.store import DatasetStore

    name = DatasetStore().save(load_dataset("spiral"), "my spiral")  # Under $KERAS_LAB_HOME, as the page keeps it.
    run = RunRegistry(RunStorage(tmp_path)).start("tester", SPIRAL.name, name, SPIRAL.spec,
                                                  TrainingConfig(epochs=2, batch_size=50))
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED, run.message
    restored = RunRegistry(RunStorage(tmp_path)).get(run.run_id)
    assert restored is not None and restored.dataset_name == name and restored.state is RunState.FINISHED
    assert RunRegistry(RunStorage(tmp_path)).get("20261126-000000-abcdef") is None


def settled_record(run_id: str, state: str = "finished") -> dict:
    run = TrainingRun(run_id=run_id, owner="", preset_name=SPIRAL.name, dataset_name="spiral", spec=SPIRAL.spec,
                      config=SPIRAL.training)
    run.settle(RunState(state))
    return run.to_record()


def test_ids_from_urls_cannot_reach_outside_the_runs_folder(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path / "runs"))
    (tmp_path / "runs").mkdir()
    (tmp_path / "run.json").write_text(json.dumps(settled_record("..")))  # A readable run, one folder up.
    assert registry.get("..") is None and registry.get("20261123-181500-3fa9c1") is None
    with pytest.raises(ValueError, match="not a run id"):
        RunStorage(tmp_path / "runs").folder("../escape")


def test_one_session_trains_one_run_at_a_time(tmp_path):
    registry = RunRegistry(RunStorage(tmp_path))
    first = start_spiral(registry, epochs=5000, owner="ann")
    with pytest.raises(ValueError, match="you already have a run training"):
        start_spiral(registry, epochs=1, owner="ann")
    first.request_stop()
    wait_until(lambda: not first.is_active)
    second = start_spiral(registry, epochs=1, owner="ann")
    wait_until(lambda: not second.is_active)
    assert second.state is RunState.FINISHED


def test_a_run_that_cannot_be_saved_still_ends_and_says_so(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the runs folder should be")
    run = start_spiral(RunRegistry(RunStorage(blocked)), epochs=1)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED and "could not be saved" in run.message
    assert run.test_accuracy is not None, "it trained and was scored all the same"


@pytest.mark.parametrize(
    "text",
    [
        '{"run_id": "20261123-181500-3fa9c1"}',
        json.dumps({**settled_record("20261123-181500-3fa9c1"), "history": []}),
        json.dumps(settled_record("20261123-181500-3fa9c1", state="running")),
        json.dumps({**settled_record("20261123-181500-3fa9c1"), "dataset": "cifar"}),
        "not json at all",
    ],
)
def test_a_damaged_or_impossible_run_record_is_no_run(tmp_path, text):
    folder = tmp_path / "20261123-181500-3fa9c1"
    folder.mkdir()
    (folder / "run.json").write_text(text)
    registry = RunRegistry(RunStorage(tmp_path))
    assert registry.get("20261123-181500-3fa9c1") is None


def test_a_good_record_is_restored(tmp_path):
    folder = tmp_path / "20261123-181500-3fa9c1"
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps(settled_record("20261123-181500-3fa9c1")))
    registry = RunRegistry(RunStorage(tmp_path))
    run = registry.get("20261123-181500-3fa9c1")
    assert run.state is RunState.FINISHED and run.saved
    assert registry.trained_model(run) is None, "no model.keras in the folder: no model, and no exception"


def test_only_the_newest_settled_runs_stay_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(runs, "SETTLED_RUNS_IN_MEMORY", 1)
    registry = RunRegistry(RunStorage(tmp_path))
    older = start_spiral(registry, epochs=1, owner="ann")
    wait_until(lambda: not older.is_active)
    newer = start_spiral(registry, epochs=1, owner="bob")
    wait_until(lambda: not newer.is_active)
    wait_until(lambda: registry.get(newer.run_id) is newer and len(registry._runs) == 1)
    again = registry.get(older.run_id)
    assert again is not older and again.test_accuracy == older.test_accuracy, "read back from its folder"
