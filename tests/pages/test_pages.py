"""Every page through Streamlit's AppTest, with real Keras training small runs."""

import subprocess
import sys

import keras
from conftest import wait_until
from page_support import APP, metrics_of, open_app, page_text, sidebar_run, visit
from streamlit.testing.v1 import AppTest


def test_the_first_page_appears_before_tensorflow_is_imported():
    script = (
        "import sys\nfrom streamlit.testing.v1 import AppTest\n"
        f"app = AppTest.from_file({APP!r}, default_timeout=60).run()\n"
        "assert not app.exception, app.exception\n"
        "print(app.title[0].value, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [":material/science:", "Keras", "Lab", "False", "False"]


def test_home_shows_the_journey_and_the_sidebar_names_the_preset():
    app = open_app()
    assert [header.value for header in app.subheader] == ["1 · Learn", "2 · Build", "3 · Train", "4 · Predict"]
    assert [link.proto.page for link in app.get("page_link")] == ["learn", "build", "train", "predict"]
    sidebar = "\n".join(element.value for element in app.sidebar.markdown)
    assert "mnist-dense512" in sidebar and "**Run** · none yet" in sidebar


def test_build_lists_the_layers_and_a_new_preset_resets_training_settings():
    app = visit(open_app(), "build")
    assert app.selectbox(key="preset").value == "mnist-dense512"
    assert "the 5,000 real MNIST digits shipped with Keras Lab" in page_text(app)
    assert app.dataframe[0].value["Layer"].tolist() == ["Input", "1 · Dense 512 relu", "2 · Dense 10 softmax"]

    visit(app, "train").number_input(key="train_epochs").set_value(7).run()
    visit(app, "build").selectbox(key="preset").set_value("spiral-dense10").run()
    assert "generated: 100 points per class" in page_text(app)
    visit(app, "train")
    assert app.number_input(key="train_epochs").value == 1000, "the spiral's own default, not the 7 typed for MNIST"


def test_train_then_predict():
    app = visit(open_app(), "train")
    assert "Press **Start training**" in page_text(app)
    app.number_input(key="train_epochs").set_value(2).run()
    app.number_input(key="train_validation_split").set_value(0.1).run()
    app.button[0].click().run()
    assert not app.exception

    def finished() -> bool:
        app.run()
        return any("finished, test accuracy" in element.value for element in app.sidebar.markdown)

    wait_until(finished, every=0.5)
    metrics = metrics_of(app)
    assert float(metrics["Test accuracy"].rstrip("%")) >= 50.0
    assert app.get("plotly_chart") and len(app.get("plotly_chart")) == 2

    visit(app, "predict")
    metrics = metrics_of(app)
    digits = set("0123456789")
    assert metrics["True label"] in digits and metrics["Predicted"] in digits
    assert len(app.get("plotly_chart")) == 2, "the digit and its probability bars"
    app.number_input(key="predict_position").set_value(1000).run()
    assert not app.exception and "Test example #1,000" in page_text(app)
    verdict = [*app.success, *app.error][0].value
    right = metrics_of(app)["True label"] == metrics_of(app)["Predicted"]
    assert verdict.startswith("Right:" if right else "Wrong:")


def test_a_reload_finds_the_run_through_the_url():
    app = visit(open_app(), "build")
    app.selectbox(key="preset").set_value("spiral-dense10").run()
    visit(app, "train").number_input(key="train_epochs").set_value(3).run()
    app.button[0].click().run()
    run_id = app.query_params["run"]

    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params["run"] = run_id
    reloaded.query_params["visitor"] = app.query_params["visitor"]  # A reload keeps the whole address.
    reloaded.run()

    def finished() -> bool:
        reloaded.run()
        return any("finished, test accuracy" in element.value for element in reloaded.sidebar.markdown)

    wait_until(finished, every=0.5)
    visit(reloaded, "train")
    assert reloaded.number_input(key="train_epochs").value == 1000, "the spiral preset came back with the run"
    assert "Test accuracy" in {metric.label for metric in reloaded.metric}


def test_stop_ends_the_run_and_says_so():
    app = visit(open_app(), "build")
    app.selectbox(key="preset").set_value("spiral-dense10").run()
    visit(app, "train")
    app.button[0].click().run()  # 1000 epochs: far longer than the test waits.
    wait_until(lambda: app.run() and "training, epoch" in sidebar_run(app), every=0.3)
    stop = next(button for button in app.button if button.label == "Stop")
    stop.click().run()
    wait_until(lambda: app.run() and "stopped" in sidebar_run(app), every=0.3)
    assert any("Training stopped: ended in epoch" in warning.value for warning in app.warning)
    assert next(button for button in app.button if button.label == "Start again from scratch").disabled is False


def test_a_reload_keeps_the_chosen_preset():
    app = visit(open_app(), "build")
    app.selectbox(key="preset").set_value("spiral-dense10").run()
    assert app.query_params["preset"] == "spiral-dense10"

    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params["preset"] = "spiral-dense10"
    visit(reloaded.run(), "train")
    assert reloaded.number_input(key="train_epochs").value == 1000
    assert "spiral-dense10" in "\n".join(element.value for element in reloaded.sidebar.markdown)


def test_unknown_values_in_the_address_are_ignored():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["preset"] = "resnet-9000"
    app.query_params["run"] = "../../etc/passwd"
    app.run()
    assert not app.exception
    assert "mnist-dense512" in "\n".join(element.value for element in app.sidebar.markdown)
    assert "**Run** · none yet" in "\n".join(element.value for element in app.sidebar.markdown)


def test_predict_without_a_run_points_to_train():
    app = visit(open_app(), "predict")
    assert "No trained model yet" in page_text(app)


def test_reruns_leave_keras_state_alone():
    """Streamlit would call keras.backend.clear_session() (183 ms once Predict loaded a model) after every rerun."""
    before = keras.layers.Dense(1).name
    open_app()
    after = keras.layers.Dense(1).name
    assert after != "dense" and after != before, f"Keras's state was reset: {before} then {after}"
