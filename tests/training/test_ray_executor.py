"""Runs on a real Ray cluster: a local one of two CPUs, started for this module (no mocks; see conftest.py), and the same registry and
job code the dashboard uses, with `KERAS_LAB_EXECUTOR=ray`'s executor. Each run's actor imports Keras in a process
of its own, so each test trains a few seconds."""

import json
import os
import socket
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import ray
from conftest import run_cli, wait_until
from run_support import BATCHES, SPIRAL, assert_pause_holds, epochs_done, start_spiral

from core.data.catalogue import load_dataset
from core.data.store import DatasetStore
from core.models.spec import TrainingConfig
from core.training.executor import TrainingJob, WorkerLost
from core.training.ray_actor import pack, unpack
from core.training.ray_executor import RayExecutor
from core.training.registry import RunRegistry
from core.training.run import RunState, TrainingRun
from core.training.storage import RunStorage, new_run_id


@pytest.fixture(scope="module")
def registry(ray_cluster, tmp_path_factory):
    return RunRegistry(RunStorage(tmp_path_factory.mktemp("runs")), executor=RayExecutor())


def test_a_run_trains_on_ray_and_its_folder_comes_back_without_a_shared_disk(registry):
    run = start_spiral(registry, epochs=40)
    wait_until(lambda: not run.is_active, timeout=180)
    assert run.state is RunState.FINISHED, run.message
    assert run.test_accuracy > 0.5 and epochs_done(run) == 40
    assert run.hardware.startswith(f"Ray {ray.__version__}, node ") and "1 CPU" in run.hardware, run.hardware
    folder = registry.storage.folder(run.run_id)
    record = json.loads((folder / "run.json").read_text())
    assert record["state"] == "finished" and record["hardware"] == run.hardware
    assert len(record["history"]["epochs"]) == 40 and len(record["history"]["batch_losses"]) == 40 * BATCHES
    assert (folder / "model.keras").is_file(), "the model the actor saved, copied to the server's folder"
    assert list((folder / "tensorboard").rglob("events.out.tfevents.*")), "and its TensorBoard scalars"
    assert registry.storage.load_model(run.run_id) is not None
    node_folders = f"keras-lab-ray-*/{run.run_id}"
    wait_until(lambda: not list(Path(tempfile.gettempdir()).glob(node_folders)), timeout=10)  # The node's copy.


def test_a_run_continues_on_ray_from_the_model_the_server_kept(registry):
    run = start_spiral(registry, epochs=20)
    wait_until(lambda: not run.is_active, timeout=180)
    first_losses = [record.loss for record in run.history.snapshot().epochs]
    registry.continue_run(run, run.owner, more_epochs=10)  # The server sends the actor the run's folder.
    wait_until(lambda: not run.is_active, timeout=180)
    assert run.state is RunState.FINISHED, run.message
    epochs = run.history.snapshot().epochs
    assert len(epochs) == 30 and [record.loss for record in epochs[:20]] == first_losses
    assert epochs[20].loss < first_losses[0], "it went on from the trained model, not from the start"


def test_a_run_on_an_uploaded_dataset_takes_the_dataset_to_its_node(registry, tmp_path, monkeypatch):
    """The dataset is stored where only this server looks (its own KERAS_LAB_HOME, set after the cluster started),
    as on a cluster whose nodes never saw the upload: the job carries it."""
    monkeypatch.setenv("KERAS_LAB_HOME", str(tmp_path / "server-home"))
    spiral = load_dataset("spiral")
    name = DatasetStore().save(replace(spiral, name="", title="my spiral"), title="my spiral")
    run = registry.start("uploader", "custom spec", name, SPIRAL.spec, TrainingConfig(epochs=30, batch_size=50))
    wait_until(lambda: not run.is_active, timeout=180)
    assert run.state is RunState.FINISHED, run.message
    assert run.train_size == spiral.train_size and epochs_done(run) == 30


def test_pause_resume_and_stop_reach_the_actor(registry):
    run = start_spiral(registry, epochs=100_000)
    wait_until(lambda: epochs_done(run) >= 3, timeout=180)
    held = assert_pause_holds(run)
    run.resume()
    wait_until(lambda: run.history.snapshot().steps_done > held + 2 * BATCHES, timeout=60)
    run.request_stop()
    wait_until(lambda: not run.is_active, timeout=60)
    assert run.state is RunState.STOPPED and "at your request" in run.message


def test_a_killed_actor_fails_its_run_with_words_while_another_run_finishes(registry):
    doomed = start_spiral(registry, epochs=100_000, owner="ann")
    survivor = start_spiral(registry, epochs=60, owner="bob")
    wait_until(lambda: epochs_done(doomed) >= 2, timeout=180)
    ray.kill(registry.executor.actor_of(doomed.run_id))  # As a lost node ends it.
    wait_until(lambda: not doomed.is_active, timeout=60)
    assert doomed.state is RunState.FAILED
    assert "the Ray actor training this run died" in doomed.message and "Continue training" in doomed.message
    wait_until(lambda: not survivor.is_active, timeout=180)
    assert survivor.state is RunState.FINISHED, survivor.message
    record = json.loads((registry.storage.folder(doomed.run_id) / "run.json").read_text())
    assert record["state"] == "failed" and record["message"] == doomed.message


def test_a_sweeps_runs_train_side_by_side_on_a_cluster(registry):
    runs = [TrainingRun(run_id=new_run_id(), owner="sweeper", preset_name=SPIRAL.name, dataset_name="spiral",
                        spec=SPIRAL.spec, config=TrainingConfig(epochs=3000, batch_size=50, seed=seed))
            for seed in (1, 2)]
    registry.start_in_turn(runs, "keras-lab-sweep-test")
    wait_until(lambda: all(run.history.snapshot().steps_done for run in runs), timeout=180)
    assert all(run.is_active for run in runs), "both trained at once, not one after the other"
    wait_until(lambda: not any(run.is_active for run in runs), timeout=180)
    assert [run.state for run in runs] == [RunState.FINISHED] * 2


def test_a_run_asking_for_a_gpu_the_cluster_lacks_is_refused_with_what_to_do(registry):
    assert registry.executor.gpus_available() == 0, "this module's Ray has two CPUs and no GPU"
    run = registry.start("tester", SPIRAL.name, SPIRAL.dataset_name, SPIRAL.spec,
                         TrainingConfig(epochs=5, batch_size=50, gpu=True))
    wait_until(lambda: not run.is_active, timeout=60)
    assert run.state is RunState.FAILED and "asks for a GPU, and no node of the Ray cluster has one" in run.message
    assert "--num-gpus" in run.message and epochs_done(run) == 0


def test_an_unreachable_cluster_fails_the_run_with_what_to_do(tmp_path):
    executor = RayExecutor(address=f"127.0.0.1:{free_port()}")
    job = TrainingJob(TrainingRun(run_id=new_run_id(), owner="tester", preset_name=SPIRAL.name,
                                  dataset_name="spiral", spec=SPIRAL.spec,
                                  config=TrainingConfig(epochs=1, batch_size=50)), tmp_path)
    with pytest.raises(WorkerLost, match="could not connect to the Ray cluster at RAY_ADDRESS=127.0.0.1:") as lost:
        executor.train(job, lambda event: None)
    assert "ray start --head" in lost.value.reason


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_cli_trains_on_ray_to_the_same_accuracy_as_locally(ray_cluster, tmp_path):
    local = run_cli("train", "--preset", SPIRAL.name, "--epochs", "300", "--json", "--out", str(tmp_path / "local"))
    os.environ.update(KERAS_LAB_EXECUTOR="ray", RAY_ADDRESS=ray_cluster)
    try:
        on_ray = run_cli("train", "--preset", SPIRAL.name, "--epochs", "300", "--json", "--out",
                         str(tmp_path / "ray"))
    finally:
        del os.environ["KERAS_LAB_EXECUTOR"], os.environ["RAY_ADDRESS"]
    assert local.returncode == 0 and on_ray.returncode == 0, on_ray.stderr
    local_scores, ray_scores = (json.loads(result.stdout.splitlines()[-1]) for result in (local, on_ray))
    assert ray_scores["test_accuracy"] == pytest.approx(local_scores["test_accuracy"], abs=0.02)
    record = json.loads((next((tmp_path / "ray").glob("*/run.json"))).read_text())
    assert record["hardware"].startswith("Ray ") and record["state"] == "finished"


def test_a_folder_travels_as_an_archive_and_stays_inside_its_folder(tmp_path):
    source = tmp_path / "source"
    (source / "checkpoints").mkdir(parents=True)
    (source / "run.json").write_text("{}")
    (source / "checkpoints" / "epoch-0003.keras").write_bytes(b"weights")
    target = tmp_path / "target"
    unpack(pack(source, ["checkpoints/epoch-0003.keras"]), target)
    assert [path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()] == \
        ["checkpoints/epoch-0003.keras"]
    unpack(pack(source, None), target)
    assert (target / "run.json").read_text() == "{}"
    assert pack(tmp_path / "missing", None) and unpack(b"", target) is None
