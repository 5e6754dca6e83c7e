"""A Ray cluster with a GPU: a real local Ray that declares one (Ray schedules by declared resources; the run then
trains on the CPU all the same, which is all this machine has). A run that asks for the GPU gets it, and the Train
page offers the choice only on such a cluster."""

import json

import pytest
import ray
from conftest import run_cli, wait_until
from page_support import train_page
from run_support import SPIRAL

from core.models.spec import TrainingConfig
from core.training.ray_executor import RayExecutor
from core.training.registry import RunRegistry
from core.training.run import RunState
from core.training.storage import RunStorage

GPU_CHOICE = "Train on a GPU of the cluster"


@pytest.fixture(scope="module")
def gpu_cluster(tmp_path_factory):
    ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False,
             _temp_dir=str(tmp_path_factory.mktemp("ray")), namespace="keras-lab")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def test_a_run_that_asks_for_the_gpu_gets_it(gpu_cluster, tmp_path):
    registry = RunRegistry(RunStorage(tmp_path), executor=RayExecutor())
    wait_until(lambda: registry.executor.gpus_available() == 1, timeout=60)
    run = registry.start("tester", SPIRAL.name, SPIRAL.dataset_name, SPIRAL.spec,
                         TrainingConfig(epochs=20, batch_size=50, gpu=True))
    wait_until(lambda: not run.is_active, timeout=180)
    assert run.state is RunState.FINISHED, run.message
    assert "1 CPU, 1 GPU" in run.hardware, run.hardware


def test_the_cli_asks_the_cluster_for_its_gpu(gpu_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_LAB_EXECUTOR", "ray")
    monkeypatch.setenv("RAY_ADDRESS", gpu_cluster)
    result = run_cli("train", "--preset", SPIRAL.name, "--epochs", "20", "--gpu", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    record = json.loads(next(tmp_path.glob("*/run.json")).read_text())
    assert record["config"]["gpu"] and "1 CPU, 1 GPU" in record["hardware"], record["hardware"]


def test_the_train_page_offers_the_gpu_only_on_a_cluster_that_has_one(gpu_cluster, monkeypatch):
    from dashboard.resources import run_registry

    assert GPU_CHOICE not in [box.label for box in train_page().checkbox], "the local executor: no such choice"
    monkeypatch.setenv("KERAS_LAB_EXECUTOR", "ray")
    run_registry.clear()  # The server's registry, made again as a server started with the variable makes it.
    try:
        app = train_page()
        wait_until(lambda: app.run() and GPU_CHOICE in [box.label for box in app.checkbox], timeout=60, every=0.5)
        assert not app.exception
    finally:
        run_registry.clear()
