"""The Train page's curves in a real browser: they grow while the run trains (drawn in place, in the run's live
frame), and when it ends they are exactly the run's saved history, every epoch point and the last batch, with a long
run's batches bucketed (the harness is in `browser_support.py`)."""

import json
import signal
import time

from browser_support import free_port, live_view, set_epochs, start_server
from conftest import wait_until

EPOCHS = 60
"""The default MNIST MLP: 32 batches an epoch, so 1,920 batches, more than a curve draws (400)."""
TRACES = """plot => plot._fullData.map(
    trace => ({name: trace.name, x: Array.from(trace.x), y: Array.from(trace.y, value => value === null ? NaN : value)})
)"""
CURVES = f"() => Array.from(document.querySelectorAll('.js-plotly-plot')).slice(0, 2).map({TRACES})"
LIVE_CURVES = f"""() => ['loss', 'accuracy'].map(name => document.getElementById(name))
    .filter(plot => plot && plot._fullData).map({TRACES})"""


def by_name(chart: list[dict]) -> dict[str, dict[str, list[float]]]:
    return {trace["name"]: trace for trace in chart}


def curves(page) -> list[dict[str, dict[str, list[float]]]]:
    """The loss and accuracy charts as Plotly drew them (its `_fullData`: NumPy arrays arrive as typed arrays, which
    only that holds decoded): each trace's points by trace name."""
    return [by_name(chart) for chart in page.evaluate(CURVES)]


def live_curves(page) -> list[dict[str, dict[str, list[float]]]]:
    """The same while the run trains, when the curves are drawn in the run's live frame (see `dashboard.live_frames`)."""
    frames = [frame for frame in page.frames if "live_run" in frame.url and not frame.is_detached()]
    return [by_name(chart) for chart in frames[-1].evaluate(LIVE_CURVES)] if frames else []


def watch_until_finished(page, seconds: float) -> set[float]:
    """Watch the Train page's run until the page says it finished; returns the last batch of each per-batch curve
    the live frame drew meanwhile (so how many times the curves grew)."""
    batches_seen, deadline = set(), time.monotonic() + seconds
    finished = page.get_by_text("finished, test accuracy")
    while not finished.count():
        assert time.monotonic() < deadline, f"the run did not finish within {seconds} s"
        charts = live_curves(page) if live_view(page).get_by_text(" · batch ").count() else []
        if charts and "per batch" in charts[0]:
            batches_seen.add(charts[0]["per batch"]["x"][-1])
        time.sleep(0.2)
    return batches_seen


def test_the_curves_grow_while_training_and_end_equal_to_the_saved_history(browser, tmp_path):
    port, home = free_port(), tmp_path / "home"
    server = start_server(port, home, tmp_path / "streamlit.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"http://127.0.0.1:{port}/train")
        page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
        set_epochs(page, EPOCHS)
        page.get_by_role("button", name="Start training").click()

        batches_seen = watch_until_finished(page, seconds=300)
        assert len(batches_seen) >= 3, f"the curves grew only {len(batches_seen)} times while the run trained"

        (record_path,) = (home / "runs").glob("*/run.json")
        wait_until(lambda: json.loads(record_path.read_text())["state"] == "finished", timeout=30)
        history = json.loads(record_path.read_text())["history"]
        page.reload()  # What a learner sees after the run, as well as what the live page ended with.
        page.get_by_text("finished, test accuracy").first.wait_for(timeout=60_000)
        wait_until(lambda: len(curves(page)) == 2 and all(len(chart) == 3 for chart in curves(page)), timeout=30)
        loss, accuracy = curves(page)
        epochs = history["epochs"]
        assert len(epochs) == EPOCHS
        for chart, key in ((loss, "loss"), (accuracy, "accuracy")):
            per_epoch = chart["train (per epoch)"]
            assert per_epoch["x"] == [epoch["epoch"] for epoch in epochs]
            assert per_epoch["y"] == [epoch[key] for epoch in epochs], f"the {key} per epoch is not the saved one"
            per_batch = chart["per batch"]
            saved = history["batch_losses" if key == "loss" else "batch_accuracies"]
            assert len(per_batch["x"]) <= 400 < len(saved), "a long run's batches are bucketed"
            assert per_batch["x"][-1] == len(saved) / history["batches_per_epoch"] == EPOCHS
            assert per_batch["y"][-1] == saved[-1], "the last batch is drawn as saved"
            drawn = {round(x * history["batches_per_epoch"]) - 1: y for x, y in zip(per_batch["x"], per_batch["y"])}
            assert all(saved[step] == value for step, value in drawn.items()), "every drawn batch is a saved one"
        assert page.get_by_test_id("stException").count() == 0
        page.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
