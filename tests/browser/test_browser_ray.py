"""The dashboard with its runs on a Ray cluster (`KERAS_LAB_EXECUTOR=ray`), in a real browser: the default MNIST run
trains from the Train page on a real local Ray of two CPUs (see conftest.py), its curves live, its test accuracy shown,
and its record says where it ran."""

import json
import re
import signal

import ray
from browser_support import free_port, set_epochs, start_server
from test_browser_live_curves import watch_until_finished


def test_the_default_run_trains_on_ray_from_the_train_page_with_live_curves(browser, ray_cluster, tmp_path):
    port, home = free_port(), tmp_path / "home"
    server = start_server(port, home, tmp_path / "streamlit.log",
                          environment={"KERAS_LAB_EXECUTOR": "ray", "RAY_ADDRESS": ray_cluster})
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"http://127.0.0.1:{port}/train")
        page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
        set_epochs(page, 20)
        page.get_by_role("button", name="Start training").click()

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
