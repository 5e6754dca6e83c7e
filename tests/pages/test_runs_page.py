"""The Runs page through AppTest: a visitor's runs found again through the address, compared, renamed, deleted;
and nobody else's runs shown."""

import json
import os
from pathlib import Path

from conftest import wait_until
from page_support import APP, button, settle, train_page, visit
from streamlit.testing.v1 import AppTest


def train_spiral(app: AppTest, epochs: int) -> str:
    app.number_input(key="train_epochs").set_value(epochs).run()
    button(app, "Start training" if not app.query_params.get("run") else "Start again from scratch").click().run()
    settle(app, "finished, test accuracy")
    return app.query_params["run"]


def run_picker(app: AppTest):
    """The "Run" picker of "One run" (its key changes with every rename, so it is found by its label)."""
    return next(selectbox for selectbox in app.selectbox if selectbox.label == "Run")


def runs_table(app: AppTest) -> list[tuple[str, str, int]]:
    table = app.dataframe[0].value
    return list(zip(table["Model"], table["State"], table["Epochs"]))


def test_a_visitors_runs_are_listed_compared_renamed_and_deleted():
    app = train_page()
    first, second = train_spiral(app, 2), train_spiral(app, 3)
    visit(app, "runs")
    assert runs_table(app) == [("spiral-dense10", "finished", 3), ("spiral-dense10", "finished", 2)]
    charts = app.get("plotly_chart")
    assert len(charts) == 2, "loss and accuracy"
    loss_traces = json.loads(charts[0].proto.spec)["data"]
    assert [len(trace["x"]) for trace in loss_traces] == [3, 2], "both runs overlaid, each with its own epochs"

    run_picker(app).set_value(first).run()
    app.text_input(key=f"runs_name_{first}").set_value("  two   epochs ").run()
    button(app, "Rename").click().run()
    assert app.dataframe[0].value["Name"].tolist()[1] == "two epochs"
    assert run_picker(app).value == first and run_picker(app).format_func(first) == "two epochs"
    record = (Path(os.environ["KERAS_LAB_HOME"]) / "runs" / first / "run.json").read_text()
    assert '"title": "two epochs"' in record

    run_picker(app).set_value(second).run()
    button(app, "Delete").click().run()
    assert runs_table(app) == [("spiral-dense10", "finished", 2)]
    assert not (Path(os.environ["KERAS_LAB_HOME"]) / "runs" / second).exists()
    assert not app.exception


def test_the_address_finds_a_visitors_runs_and_hides_them_from_anyone_else():
    app = train_page()
    run_id = train_spiral(app, 1)
    visitor = app.query_params["visitor"]

    returning = AppTest.from_file(APP, default_timeout=120)
    returning.query_params["visitor"] = visitor
    visit(returning.run(), "runs")
    assert runs_table(returning) == [("spiral-dense10", "finished", 1)]

    stranger = AppTest.from_file(APP, default_timeout=120)
    stranger.query_params["run"] = run_id
    visit(stranger.run(), "runs")
    assert "No runs yet" in stranger.info[0].value
    assert "**Run** · none yet" in "\n".join(element.value for element in stranger.sidebar.markdown)


def sweep_chart_traces(app: AppTest, runs: int, **widgets) -> list[dict]:
    """Set the Train page's widgets, run the sweep, wait on Runs until all its runs finished; the chart's traces."""
    for key, value in widgets.items():
        widget = app.text_input(key=key) if key.endswith("_values") else (
            app.selectbox(key=key) if key.endswith("_setting") else app.number_input(key=key))
        widget.set_value(value).run()
    button(app, "Run the sweep").click().run()
    assert f"The sweep's {runs} runs are queued" in app.success[0].value
    visit(app, "runs")
    wait_until(lambda: app.run() and f"{runs} of {runs} runs finished." in [caption.value for caption in app.caption],
               every=0.5)
    return json.loads(app.get("plotly_chart")[2].proto.spec)["data"]


def test_a_three_value_sweep_is_charted_with_the_best_marked():
    app = train_page()
    accuracy, seconds, best = sweep_chart_traces(app, 3, train_epochs=20, train_validation_split=0.2,
                                                 sweep_setting="units", sweep_values="4, 8, 16")
    assert accuracy["x"] == [4, 8, 16] and len(accuracy["y"]) == 3 and accuracy["name"] == "validation accuracy"
    assert len(seconds["y"]) == 3
    assert best["y"] == [max(accuracy["y"])] and best["text"][0].startswith("best: ")
    assert len(runs_table(app)) >= 3


def test_a_two_setting_sweep_draws_a_line_per_value_of_the_second():
    lines = sweep_chart_traces(train_page(), 4, train_epochs=5, sweep_values="4, 8",
                               sweep_second_setting="batch_size", sweep_second_values="50, 100")
    assert [(line["name"], line["x"]) for line in lines[:2]] == [("batch_size = 50", [4, 8]),
                                                                ("batch_size = 100", [4, 8])]
    assert lines[2]["text"][0].startswith("best: units ")
