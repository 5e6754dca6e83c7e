"""The Runs page through AppTest: a visitor's runs found again through the address, compared, renamed, deleted;
and nobody else's runs shown."""

import json
import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import wait_until
from test_pages import APP, open_app, visit
from test_train_page import button, settle, train_page


def train_spiral(app: AppTest, epochs: int) -> str:
    app.number_input(key="train_epochs").set_value(epochs).run()
    button(app, "Start training" if not app.query_params.get("run") else "Start again from scratch").click().run()
    settle(app, "finished, test accuracy")
    return app.query_params["run"]


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

    app.selectbox(key="runs_selected").set_value(first).run()
    app.text_input(key=f"runs_name_{first}").set_value("  two   epochs ").run()
    button(app, "Rename").click().run()
    assert app.dataframe[0].value["Name"].tolist()[1] == "two epochs"
    record = (Path(os.environ["KERAS_LAB_HOME"]) / "runs" / first / "run.json").read_text()
    assert '"title": "two epochs"' in record

    app.selectbox(key="runs_selected").set_value(second).run()
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


def test_a_three_value_sweep_is_charted_with_the_best_marked():
    app = train_page()
    app.number_input(key="train_epochs").set_value(20).run()
    app.number_input(key="train_validation_split").set_value(0.2).run()
    app.selectbox(key="sweep_setting").set_value("units").run()
    app.text_input(key="sweep_values").set_value("4, 8, 16").run()
    button(app, "Run the sweep").click().run()
    assert "The sweep's 3 runs are queued" in app.success[0].value
    visit(app, "runs")
    wait_until(lambda: app.run() and "3 of 3 runs finished." in [caption.value for caption in app.caption],
               every=0.5)
    sweep = json.loads(app.get("plotly_chart")[2].proto.spec)["data"]
    accuracy, seconds, best = sweep
    assert accuracy["x"] == [4, 8, 16] and len(accuracy["y"]) == 3 and accuracy["name"] == "validation accuracy"
    assert len(seconds["y"]) == 3
    assert best["y"] == [max(accuracy["y"])] and best["text"][0].startswith("best: ")
    assert len(runs_table(app)) >= 3


def test_a_two_setting_sweep_draws_a_line_per_value_of_the_second():
    app = train_page()
    app.number_input(key="train_epochs").set_value(5).run()
    app.text_input(key="sweep_values").set_value("4, 8").run()
    app.selectbox(key="sweep_second_setting").set_value("batch_size").run()
    app.text_input(key="sweep_second_values").set_value("50, 100").run()
    button(app, "Run the sweep").click().run()
    assert "The sweep's 4 runs are queued" in app.success[0].value
    visit(app, "runs")
    wait_until(lambda: app.run() and "4 of 4 runs finished." in [caption.value for caption in app.caption],
               every=0.5)
    lines = json.loads(app.get("plotly_chart")[2].proto.spec)["data"]
    assert [(line["name"], line["x"]) for line in lines[:2]] == [("batch_size = 50", [4, 8]),
                                                                ("batch_size = 100", [4, 8])]
    assert lines[2]["text"][0].startswith("best: units ")
