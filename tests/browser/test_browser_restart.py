"""A server killed mid-run, in a real browser: the learner's own address finds the run again after a restart,
interrupted with its epochs, and Continue training finishes it (the harness is in `browser_support.py`)."""

import json
import os
import re
import signal
from pathlib import Path

from browser_support import free_port, start_server, start_training_at
from conftest import wait_until


def checkpointed_epochs(home: Path) -> int:
    """The epochs the one run's record holds, once it names a checkpoint (0 before)."""
    records = list((home / "runs").glob("*/run.json"))
    record = json.loads(records[0].read_text()) if records else {}
    return len(record["history"]["epochs"]) if record.get("checkpoint_epoch") else 0


def test_a_run_survives_a_killed_server_and_continues_after_the_restart(browser, tmp_path):
    port, home, log = free_port(), tmp_path / "home", tmp_path / "streamlit.log"
    server = start_server(port, home, log)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        start_training_at(page, f"http://127.0.0.1:{port}/train?preset=spiral-dense10", epochs=5000)
        wait_until(lambda: checkpointed_epochs(home) >= 3, timeout=180)
        address = page.evaluate("location.href")  # page.url can lag behind an address the app rewrote.
        assert "run=" in address and "visitor=" in address
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=20)

    server = start_server(port, home, log)
    try:
        notice = page.get_by_text(re.compile(r"^Training interrupted: the server stopped during epoch \d+"))
        notice.wait_for(timeout=120_000)  # The page left open: its live frame finds the run again and reruns it.
        assert page.get_by_role("button", name="Continue training").is_enabled()
        page.goto(address)  # And a reload finds the same.
        notice.wait_for(timeout=120_000)
        assert re.search(r"the model of epoch \d+ is kept", notice.inner_text())
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30_000)  # The curves so far: loss and accuracy.
        assert page.get_by_test_id("stException").count() == 0
        page.screenshot(path=str(tmp_path / "interrupted.png"))
        page.get_by_role("button", name="Continue training").click()
        page.get_by_text(re.compile(r"^finished, test accuracy")).first.wait_for(timeout=180_000)
        assert page.get_by_test_id("stException").count() == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
