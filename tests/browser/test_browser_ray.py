"""The dashboard with its runs on a Ray cluster (`KERAS_LAB_EXECUTOR=ray`), in a real browser: the default MNIST run
trains from the Train page on a real local Ray of two CPUs (see conftest.py), its curves live, its test accuracy shown,
and its record says where it ran; a server killed mid-run finds the run still training on the cluster after its
restart."""

import json
import os
import re
import signal

import ray
from browser_support import free_port, live_view, start_server, start_training_at
from conftest import wait_until
from test_browser_live_curves import watch_until_finished
from test_browser_restart import checkpointed_epochs


def test_the_default_run_trains_on_ray_from_the_train_page_with_live_curves(browser, ray_cluster, tmp_path):
    port, home = free_port(), tmp_path / "home"
    server = start_server(port, home, tmp_path / "streamlit.log",
                          environment={"KERAS_LAB_EXECUTOR": "ray", "RAY_ADDRESS": ray_cluster})
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        start_training_at(page, f"http://127.0.0.1:{port}/train", epochs=20)

        batches_seen = watch_until_finished(page, seconds=240)
        assert len(batches_seen) >= 3, f"the curves grew only {len(batches_seen)} times while the run trained"
        assert page.get_by_test_id("stException").count() == 0
        finished = page.get_by_text(re.compile(r"^finished, test accuracy \d")).first
        accuracy = float(re.search(r"test accuracy (\d+\.\d)%", finished.inner_text()).group(1))
        assert accuracy > 80, "the default MLP learns MNIST on Ray as it does locally"
        (record_path,) = (home / "runs").glob("*/run.json")
        record = json.loads(record_path.read_text())
        assert record["state"] == "finished" and record["hardware"].startswith(f"Ray {ray.__version__}, node ")
        assert (record_path.parent / "model.keras").is_file()
        page.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_server_restarted_mid_run_finds_its_run_still_training_on_the_cluster(browser, ray_cluster, tmp_path):
    port, home, log = free_port(), tmp_path / "home", tmp_path / "streamlit.log"
    on_ray = {"KERAS_LAB_EXECUTOR": "ray", "RAY_ADDRESS": ray_cluster}
    server = start_server(port, home, log, environment=on_ray)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        start_training_at(page, f"http://127.0.0.1:{port}/train?preset=spiral-dense10", epochs=10_000)
        wait_until(lambda: checkpointed_epochs(home) >= 3, timeout=180)
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # The server and all it started here; the run's actor is the cluster's.
        server.wait(timeout=20)
    heard_before = checkpointed_epochs(home)

    server = start_server(port, home, log, environment=on_ray)
    try:
        training = live_view(page).get_by_text(re.compile(r"^training, epoch \d+/10000")).first
        training.wait_for(timeout=120_000)  # The page left open finds the run again, training, not interrupted.
        wait_until(lambda: int(re.search(r"epoch (\d+)/", training.inner_text()).group(1)) > heard_before + 50,
                   timeout=120)
        assert page.get_by_text(re.compile("interrupted", re.IGNORECASE)).count() == 0
        assert page.get_by_test_id("stException").count() == 0
        page.screenshot(path=str(tmp_path / "rejoined.png"))
        page.get_by_role("button", name="Stop").click()  # Its controls reach the actor the new server follows.
        page.get_by_text(re.compile(r"^Training stopped: ended in epoch \d+ of 10000, at your request")).wait_for(
            timeout=60_000)
        (record_path,) = (home / "runs").glob("*/run.json")
        record = json.loads(record_path.read_text())
        assert record["state"] == "stopped" and len(record["history"]["epochs"]) > heard_before + 50
        assert (record_path.parent / "model.keras").is_file(), "the model, copied from the actor to the new server"
        assert page.get_by_test_id("stException").count() == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
