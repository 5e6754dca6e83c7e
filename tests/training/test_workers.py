"""Runs as jobs in worker processes, tested with real processes and real Keras: a worker killed mid-run, a server
killed mid-run and started again, concurrent seeded runs, the pool's reuse and replacement, and a server that never
imports TensorFlow to train."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import REPOSITORY, wait_until
from run_support import BATCHES, start_spiral

from core.training.processes import process_is_alive
from core.training.registry import RunRegistry
from core.training.run import RunState
from core.training.storage import RunStorage
from core.training.worker_pool import WorkerPool


def epoch_losses(run) -> list[float]:
    return [record.loss for record in run.history.snapshot().epochs]


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.close()


def test_a_killed_worker_fails_only_its_run_with_the_reason_and_is_replaced(tmp_path, pool):
    storage = RunStorage(tmp_path)
    registry = RunRegistry(storage, max_concurrent=2, executor=pool)
    doomed, other = start_spiral(registry, epochs=5000, owner="ann"), start_spiral(registry, epochs=60, owner="bob")
    wait_until(lambda: doomed.history.snapshot().epochs and other.history.snapshot().steps_done)
    worker = storage.load_record(doomed.run_id)["pid"]
    assert worker != os.getpid() and worker in pool.worker_pids()
    os.kill(worker, signal.SIGKILL)

    wait_until(lambda: not doomed.is_active)
    assert doomed.state is RunState.FAILED
    assert doomed.message == ("the training process was killed (SIGKILL), usually because it ran out of memory; try "
                              "a smaller batch size or model.")
    assert storage.load_record(doomed.run_id)["state"] == "failed", "the server wrote the reason to its record"
    assert doomed.history.snapshot().epochs, "the epochs it trained are kept"
    wait_until(lambda: not other.is_active)
    assert other.state is RunState.FINISHED, other.message
    after = start_spiral(registry, epochs=2, owner="ann")
    wait_until(lambda: not after.is_active)
    assert after.state is RunState.FINISHED and worker not in pool.worker_pids()


SERVER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from core.models.presets import get_preset
    from core.models.spec import TrainingConfig
    from core.training.registry import RunRegistry
    from core.training.storage import RunStorage

    spiral = get_preset("spiral-dense10")
    registry = RunRegistry(RunStorage(Path(sys.argv[1])))
    run = registry.start("ann", spiral.name, "spiral", spiral.spec, TrainingConfig(epochs=5000, batch_size=50))
    print(run.run_id, flush=True)
    time.sleep(600)
""")


def test_a_server_killed_mid_run_finds_it_interrupted_and_continues_it_from_its_checkpoint(tmp_path, pool):
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              cwd=REPOSITORY, start_new_session=True)
    run_id = server.stdout.readline().strip()
    storage = RunStorage(tmp_path)
    wait_until(lambda: (storage.load_record(run_id) or {}).get("checkpoint_epoch", 0) >= 1
               and len(storage.load_record(run_id)["history"]["epochs"]) >= 3)
    worker = storage.load_record(run_id)["pid"]
    os.killpg(server.pid, signal.SIGKILL)  # The server and its worker, as an OOM kill or a redeploy would.
    server.wait()
    wait_until(lambda: not process_is_alive(worker))

    registry = RunRegistry(storage, executor=pool)
    run = registry.get(run_id)
    assert run.state is RunState.INTERRUPTED
    epochs, kept = len(run.history.snapshot().epochs), run.checkpoint_epoch
    assert epochs >= 3 and 1 <= kept <= epochs
    assert run.message.startswith(f"the server stopped during epoch {epochs + 1} (last heard from on ")
    assert f"the model of epoch {kept} is kept, and Continue training carries on from there." in run.message
    assert storage.load_record(run_id)["state"] == "interrupted", "its record says so too"
    checkpoint = registry.trained_model(run)
    assert int(checkpoint.optimizer.iterations.numpy()) == kept * BATCHES, "Predict can use the checkpoint meanwhile"

    registry.continue_run(run, "ann", 2)
    wait_until(lambda: not run.is_active)
    assert run.state is RunState.FINISHED, run.message
    assert [record.epoch for record in run.history.snapshot().epochs] == list(range(1, kept + 3))
    steps = int(registry.trained_model(run).optimizer.iterations.numpy())
    assert steps == (kept + 2) * BATCHES, "the optimizer carried on from the checkpoint's step count"


def test_a_server_that_exits_mid_run_has_its_worker_stop_and_save_the_run(tmp_path, pool):
    """Ctrl-C or a polite redeploy: the pool closes its workers' input, and each saves its run as stopped."""
    stopping = SERVER.replace("time.sleep(600)", textwrap.dedent("""
        while len(run.history.snapshot().epochs) < 2:
            time.sleep(0.05)
    """))
    subprocess.run([sys.executable, "-c", stopping, str(tmp_path)], cwd=REPOSITORY, timeout=120, check=True,
                   capture_output=True)
    run_id = next(path.name for path in tmp_path.iterdir())
    run = RunRegistry(RunStorage(tmp_path), executor=pool).get(run_id)
    assert run.state is RunState.STOPPED
    assert run.message.endswith("because the server stopped (it is kept, and can continue).")
    assert RunStorage(tmp_path).model_path(run_id) is not None, "its model was saved, so it can continue"


def test_a_record_still_written_by_a_living_process_is_left_to_it(tmp_path):
    """The CLI (or another server) training into the same folder: its run is not taken for interrupted."""
    storage = RunStorage(tmp_path)
    run = start_spiral(RunRegistry(storage), epochs=1)
    wait_until(lambda: not run.is_active)
    record = {**storage.load_record(run.run_id), "state": "running", "pid": os.getpid()}
    storage.save_record(run.run_id, record)
    assert RunRegistry(storage).get(run.run_id) is None
    storage.save_record(run.run_id, {**record, "pid": 2**22 + 1})  # Above Linux's default pid_max: no such process.
    assert RunRegistry(storage).get(run.run_id).state is RunState.INTERRUPTED


def test_two_runs_trained_together_give_exactly_their_solo_curves(tmp_path, pool):
    registry = RunRegistry(RunStorage(tmp_path), max_concurrent=2, executor=pool)
    together = [start_spiral(registry, epochs=25, owner="ann", seed=3), start_spiral(registry, epochs=25, owner="bob", seed=5)]
    wait_until(lambda: not any(run.is_active for run in together))
    alone = []
    for seed, owner in ((3, "ann"), (5, "bob")):
        run = start_spiral(registry, epochs=25, owner=owner, seed=seed)
        wait_until(lambda: not run.is_active)
        alone.append(run)
    assert [run.state for run in together + alone] == [RunState.FINISHED] * 4
    assert epoch_losses(together[0]) == epoch_losses(alone[0]) and epoch_losses(together[1]) == epoch_losses(alone[1])
    assert epoch_losses(alone[0]) != epoch_losses(alone[1])


def test_a_worker_is_reused_until_it_has_trained_its_share_then_replaced(tmp_path):
    pool = WorkerPool(idle_workers=1, max_runs_per_worker=2)
    try:
        storage = RunStorage(tmp_path)
        registry = RunRegistry(storage, executor=pool)
        workers = []
        for _ in range(3):
            run = start_spiral(registry, epochs=1)
            wait_until(lambda: not run.is_active)
            workers.append(storage.load_record(run.run_id)["pid"])
        assert workers[0] == workers[1] != workers[2], "two runs in one warm worker, the third in its replacement"
        wait_until(lambda: not process_is_alive(workers[0]))
    finally:
        pool.close()


def test_the_server_process_never_imports_tensorflow_to_train(tmp_path):
    script = textwrap.dedent("""
        import json, sys, time
        from pathlib import Path
        from core.models.presets import get_preset
        from core.models.spec import TrainingConfig
        from core.training.registry import RunRegistry
        from core.training.storage import RunStorage

        spiral = get_preset("spiral-dense10")
        run = RunRegistry(RunStorage(Path(sys.argv[1]))).start("ann", spiral.name, "spiral", spiral.spec,
                                                                TrainingConfig(epochs=3, batch_size=50))
        while run.is_active:
            time.sleep(0.05)
        print(json.dumps({"state": run.state.value, "epochs": len(run.history.snapshot().epochs),
                          "loaded": sorted(name for name in ("keras", "tensorflow", "jax") if name in sys.modules)}))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                            cwd=REPOSITORY, timeout=300)
    assert json.loads(result.stdout.splitlines()[-1]) == {"state": "finished", "epochs": 3, "loaded": []}, result.stderr


class SlowToLetGo(WorkerPool):
    """The pool, taking a second to return after each job settled, as a cluster does while it ends the job's actor."""

    def train(self, job, on_event) -> None:
        super().train(job, on_event)
        time.sleep(1.0)


def test_continuing_a_run_the_moment_it_finished_is_not_failed_by_the_job_that_just_ended(tmp_path):
    executor = SlowToLetGo()
    try:
        registry = RunRegistry(RunStorage(tmp_path), executor=executor)
        run = start_spiral(registry, epochs=5)
        wait_until(lambda: not run.is_active, timeout=120, every=0.01)
        registry.continue_run(run, run.owner, more_epochs=2000)  # While the first job's executor is letting go,
        wait_until(lambda: not run.is_active, timeout=120)  # and long enough to be training when it has.
        assert run.state is RunState.FINISHED, run.message
        assert len(run.history.snapshot().epochs) == 2005
    finally:
        executor.close()
