"""A server restarted while its runs train on Ray finds them again (their actors outlive it), and an actor that no
server follows stops its run and ends itself. Against a real local Ray (see conftest.py); the server that dies is a
process of its own (ray_server_that_dies.py), killed as a crash kills one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import ray
from conftest import wait_until
from run_support import BATCHES, assert_pause_holds, epochs_done

from core.training.ray_executor import NAME_MARK, RayExecutor
from core.training.registry import RunRegistry
from core.training.run import RunState
from core.training.storage import RunStorage

SERVER = Path(__file__).with_name("ray_server_that_dies.py")


def run_of_a_server_that_died(ray_cluster: str, runs_folder: Path, abandoned_seconds: float = 120.0) -> str:
    """Start a run from a server process of its own, kill that server mid-run; returns the run's id."""
    server = subprocess.Popen([sys.executable, str(SERVER), str(runs_folder), str(abandoned_seconds)],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "RAY_ADDRESS": ray_cluster})
    try:
        run_id = server.stdout.readline().strip()
        assert run_id, "the server said no run id (it failed before training a few epochs)"
    finally:
        server.kill()
        server.wait(timeout=30)
    return run_id


def actors_of(run_id: str) -> list[str]:
    return [name for name in ray.util.list_named_actors() if name.startswith(f"{run_id}{NAME_MARK}")]


@pytest.fixture
def restarted(ray_cluster, tmp_path):
    """The folder a dead server wrote, and the registry of the server started after it on the same folder."""
    return tmp_path, RunRegistry(RunStorage(tmp_path), executor=RayExecutor(address=ray_cluster))


def test_a_restarted_server_follows_the_run_its_predecessor_started_and_controls_it(ray_cluster, restarted):
    folder, registry = restarted
    run_id = run_of_a_server_that_died(ray_cluster, folder)
    heard_before = len(json.loads((folder / run_id / "run.json").read_text())["history"]["epochs"])
    rejoined = registry.rejoin_runs()
    assert [run.run_id for run in rejoined] == [run_id]
    run = rejoined[0]
    assert run.is_active and registry.get(run_id) is run
    wait_until(lambda: epochs_done(run) > heard_before + 20, timeout=120)  # Its actor trained on meanwhile.
    assert_pause_holds(run)  # Its pause reaches the actor the new server follows.
    run.request_stop()
    wait_until(lambda: not run.is_active, timeout=60)
    assert run.state is RunState.STOPPED and "at your request" in run.message, run.message
    snapshot = run.history.snapshot()
    assert [record.epoch for record in snapshot.epochs] == list(range(1, len(snapshot.epochs) + 1))
    assert snapshot.steps_done >= len(snapshot.epochs) * BATCHES, "every epoch's batches, heard again from the start"
    record = json.loads((folder / run_id / "run.json").read_text())
    assert record["state"] == "stopped" and len(record["history"]["epochs"]) == len(snapshot.epochs)
    assert registry.storage.load_model(run_id) is not None, "the model the actor saved, copied to the new server"
    wait_until(lambda: not actors_of(run_id), timeout=30)


def test_an_actor_no_server_follows_stops_its_run_and_ends_and_the_run_is_then_interrupted(ray_cluster, restarted):
    folder, registry = restarted
    run_id = run_of_a_server_that_died(ray_cluster, folder, abandoned_seconds=2.0)
    assert actors_of(run_id), "the actor outlived the server that started it"
    wait_until(lambda: not actors_of(run_id), timeout=60)  # 2 s unasked: it stops its run; 2 s more: it ends.
    assert registry.rejoin_runs() == []
    run = registry.get(run_id)
    assert run.state is RunState.INTERRUPTED and "Continue training" in run.message, run.message
    assert json.loads((folder / run_id / "run.json").read_text())["state"] == "interrupted"
