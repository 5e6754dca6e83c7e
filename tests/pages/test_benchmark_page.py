"""The Benchmark page through AppTest: this machine described, a real CPU measurement on both backends started
from the form and compared side by side, one benchmark at a time per server, and the quoted reference kept apart
from measurements."""

import json
import re
import shutil

from conftest import wait_until
from page_support import open_app, page_text, visit
from streamlit.testing.v1 import AppTest

from core.benchmark.devices import discover_devices
from core.benchmark.store import ResultStore


def benchmark_page() -> AppTest:
    return visit(open_app(), "benchmark")


def bar_figure(app: AppTest) -> dict:
    return json.loads(app.get("plotly_chart")[0].proto.spec)


def bar_traces(app: AppTest) -> list[tuple[str, list[str]]]:
    return [(trace["name"], trace["x"]) for trace in bar_figure(app)["data"]]


def measure(app: AppTest, epochs: int) -> AppTest:
    app.number_input[0].set_value(epochs)  # Epochs
    app.number_input[1].set_value(600)     # Training examples
    next(button for button in app.button if button.label == "Measure").click().run()
    assert not app.exception, app.exception
    return app


def test_the_page_describes_the_machine_and_shows_the_quoted_reference_as_such():
    # On a server with no results yet (others' saved measurements of other models would hide the reference).
    shutil.rmtree(ResultStore().root, ignore_errors=True)
    app = benchmark_page()
    machine = discover_devices()
    assert f"{machine.cores} CPU cores" in page_text(app)
    assert ("No GPU here" in page_text(app)) == (not machine.gpus), "the page must say what this machine has"
    traces = bar_traces(app)
    assert traces[-1][1] == ["cpu", "gpu:0"] and "(reference, quoted)" in traces[-1][0]
    assert traces[-1][0].startswith("mnist-cnn-4conv, a classic Keras tutorial's published figures")
    assert "never measured here" in page_text(app) and "seed" not in page_text(app)


def test_a_cpu_measurement_runs_from_the_form_and_only_one_runs_at_a_time():
    app = measure(benchmark_page(), epochs=4)
    other = measure(benchmark_page(), epochs=2)
    assert "another visitor's benchmark is measuring this machine now" in page_text(other)

    def measured() -> bool:
        app.run()
        return any(element.value.startswith("Measured 2 of 2") for element in app.success)

    wait_until(measured, timeout=300, every=0.5)
    names = [name for name, _ in bar_traces(app)]
    assert names and all("(measured here)" in name for name in names), "an MLP is not charted against a CNN's figures"
    assert [name.split(" (")[-2].rsplit(", ", 1)[-1] for name in names] == ["tensorflow", "jax"], (
        "the two backends side by side, the one measured last first")
    compared = next(widget for widget in app.multiselect if widget.label == "Results to compare")
    compared.select(next(option for option in compared.options if "(reference, quoted)" in option)).run()
    assert "These are different models (mnist-cnn-4conv, mnist-dense512)" in app.warning[-1].value
    ticks = bar_figure(app)["layout"]["yaxis"]["ticktext"]
    assert ticks and all(re.fullmatch(r"(0\.0*)?[125](,?0)* s", tick) for tick in ticks), ticks
    table = app.dataframe[-1].value
    mine = table[table["result"].str.contains("measured here")].iloc[0]
    assert mine["device"] == "cpu" and mine["status"] == "ok" and mine["steady epoch (s)"] > 0
