"""The Train page through AppTest: settings that reach the run, pause and resume, continuing, and a retry after a
loss that diverged."""

import json
import os
from pathlib import Path

import pytest
from conftest import wait_until
from page_support import APP, button, key_of, settle, sidebar_run, train_page, visit
from streamlit.testing.v1 import AppTest

from core.models.presets import get_preset


def saved_record(app: AppTest) -> dict:
    folder = Path(os.environ["KERAS_LAB_HOME"]) / "runs" / app.query_params["run"]
    return json.loads((folder / "run.json").read_text())


def test_the_settings_reach_the_run_and_the_learning_rate_is_shown_per_epoch():
    app = train_page()
    for key, value in (("train_epochs", 4), ("train_validation_split", 0.2), ("train_early_stopping_patience", 3),
                       ("train_schedule_every", 2), ("train_schedule_factor", 0.5)):
        app.number_input(key=key).set_value(value).run()
    app.selectbox(key="train_schedule").set_value("step").run()
    app.checkbox(key="train_shuffle").uncheck().run()
    button(app, "Start training").click().run()
    settle(app, "finished, test accuracy")
    config = saved_record(app)["config"]
    assert (config["epochs"], config["shuffle"], config["early_stopping_patience"], config["schedule"]) == (
        4, False, 3, "step")
    rates = [epoch["learning_rate"] for epoch in saved_record(app)["history"]["epochs"]]
    assert rates == pytest.approx([0.001, 0.001, 0.0005, 0.0005])
    assert next(metric.value for metric in app.metric if metric.label == "Learning rate") == "0.0005"


def test_pause_resume_and_stop():
    app = train_page()
    button(app, "Start training").click().run()
    wait_until(lambda: app.run() and "training, epoch" in sidebar_run(app), every=0.2)
    button(app, "Pause").click().run()
    assert "paused in epoch" in sidebar_run(app)
    button(app, "Resume").click().run()
    assert "training, epoch" in sidebar_run(app)
    button(app, "Stop").click().run()
    settle(app, "stopped")
    assert not button(app, "Continue training").disabled


def test_a_finished_run_continues_for_more_epochs():
    app = train_page()
    app.number_input(key="train_epochs").set_value(2).run()
    button(app, "Start training").click().run()
    settle(app, "finished, test accuracy")
    app.number_input(key="train_more_epochs").set_value(3).run()
    button(app, "Continue training").click().run()
    settle(app, "finished, test accuracy")
    assert [epoch["epoch"] for epoch in saved_record(app)["history"]["epochs"]] == [1, 2, 3, 4, 5]
    assert app.number_input(key="train_epochs").value == 2, "the settings for new runs are left as they were"


def test_a_diverging_loss_explains_itself_and_offers_a_slower_retry():
    # The preset's RMSprop at 1000 used to end "finished, test accuracy 45.9%" with a test loss of 4,842,759.
    app = train_page("mnist-dense512")
    app.number_input(key="train_epochs").set_value(3).run()
    app.number_input(key=key_of(app, "number_input", "compile-", "-learning_rate")).set_value(1000.0).run()
    button(app, "Start training").click().run()
    settle(app, "failed")
    explanation = app.error[0].value
    assert "training diverged. The learning rate (1000) is too high for RMSprop" in explanation
    assert "Try one ten times smaller (100)" in explanation
    assert next(metric.value for metric in app.metric if metric.label == "Learning rate") == "1000", "not 1e+03"
    first_run = app.query_params["run"]
    button(app, "Retry with learning rate 100").click().run()
    assert app.query_params["run"] != first_run
    settle(app, "failed")
    assert saved_record(app)["spec"]["compile"]["learning_rate"] == pytest.approx(100)
    assert not predictions_links(app), "a diverged run keeps no model to predict with"


def predictions_links(app: AppTest) -> list:
    return [link for link in app.get("page_link") if link.proto.label == "See its predictions"]


def test_a_stopped_run_links_to_its_predictions():
    app = train_page()
    button(app, "Start training").click().run()
    wait_until(lambda: app.run() and "training, epoch 2" in sidebar_run(app), every=0.2)
    button(app, "Stop").click().run()
    settle(app, "stopped")
    assert predictions_links(app), "a stopped run has a trained model, so its predictions can be seen"


def test_a_small_learning_rate_is_shown_as_a_decimal():
    app = train_page()
    app.number_input(key="train_epochs").set_value(1).run()
    app.number_input(key=key_of(app, "number_input", "compile-", "-learning_rate")).set_value(0.00001).run()
    button(app, "Start training").click().run()
    settle(app, "finished, test accuracy")
    assert next(metric.value for metric in app.metric if metric.label == "Learning rate") == "0.00001"


def test_a_run_trained_on_the_command_line_can_be_viewed_but_not_controlled():
    from core.models.spec import TrainingConfig
    from core.training.job import train_to_end
    from core.training.run import TrainingRun
    from core.training.storage import new_run_id
    from dashboard.resources import run_registry

    cli_run = TrainingRun(run_id=new_run_id(), owner="cli", preset_name="spiral-dense10", dataset_name="spiral",
                          spec=get_preset("spiral-dense10").spec, config=TrainingConfig(epochs=1, batch_size=50))
    train_to_end(cli_run, run_registry().storage, emit=lambda event: None)  # As `python -m core train --out` does.
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["run"] = cli_run.run_id
    visit(app.run(), "train")
    assert "finished, test accuracy" in sidebar_run(app)
    assert button(app, "Continue training").disabled and button(app, "Stop").disabled


def test_a_run_deleted_in_another_tab_cannot_be_renamed_but_says_why(tmp_path):
    from core.models.spec import TrainingConfig
    from core.training.registry import RunRegistry
    from core.training.storage import RunStorage

    registry = RunRegistry(RunStorage(tmp_path))
    spiral = get_preset("spiral-dense10")
    run = registry.start("tester", spiral.name, spiral.dataset_name, spiral.spec, TrainingConfig(epochs=1, batch_size=50))
    wait_until(lambda: not run.is_active)
    RunStorage(tmp_path).delete(run.run_id)  # What another tab's Delete does on disk.
    with pytest.raises(ValueError, match="this run is no longer on the server"):
        registry.rename(run, "mine")
