"""The Predict page through AppTest, on models trained for real: the test-set browser and its filters, the
confusion matrix's examples, mistakes, the model's inside, a visitor's own drawings, the spiral and the alphabet."""

import json

import numpy as np
import pytest
from page_support import button, metrics_of, page_text, settle, train_page, visit
from streamlit.testing.v1 import AppTest

from core.data.catalogue import load_dataset
from core.predict.drawn_digits import DrawnDigits


@pytest.fixture(scope="module")
def mnist_app() -> AppTest:
    """One MNIST MLP trained for two epochs, its Predict page open (the views reset by each test)."""
    app = train_page("mnist-dense512")
    app.number_input(key="train_epochs").set_value(2).run()
    button(app, "Start training").click().run()
    settle(app, "finished, test accuracy")
    return visit(app, "predict")


def show(app: AppTest, view: str) -> AppTest:
    app.segmented_control(key="predict_view").set_value(view).run()
    assert not app.exception, app.exception
    return app


def test_the_browser_filters_sorts_and_steps_through_the_test_set(mnist_app):
    app = show(mnist_app, "Test examples")
    assert metrics_of(app)["True label"] in set("0123456789")
    app.number_input(key="predict_position").set_value(1).run()
    assert "Test example #1:" in page_text(app), "counted from 1, as Inside the model counts"
    app.number_input(key="predict_position").set_value(1000).run()
    assert "Test example #1,000" in page_text(app)

    app.selectbox(key="predict_true").set_value("7").run()
    app.segmented_control(key="predict_outcome").set_value("wrong").run()
    app.selectbox(key="predict_order").set_value("most confident first").run()
    assert app.number_input(key="predict_position").value == 1, "a new filter starts at its first example"
    shown = metrics_of(app)
    assert shown["True label"] == "7" and shown["Predicted"] != "7"
    assert [error.value for error in app.error][0].startswith("Wrong: the model says")
    first_confidence = float(shown["Confidence"].rstrip("%"))
    button(app, "Next").click().run()
    assert float(metrics_of(app)["Confidence"].rstrip("%")) <= first_confidence, "most confident first"

    app.selectbox(key="predict_predicted").set_value("7").run()
    assert "No test example matches these filters" in page_text(app), "a 7 predicted as 7 is never wrong"
    app.selectbox(key="predict_true").set_value("any").run()
    app.selectbox(key="predict_predicted").set_value("any").run()
    app.segmented_control(key="predict_outcome").set_value("all").run()


def test_the_confusion_matrix_counts_every_example_and_scores_each_class(mnist_app):
    app = show(mnist_app, "Confusion matrix")
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    counts = [int(text) for text in figure["data"][1]["text"]]
    assert sum(counts) == 1000 and len(counts) == 100
    scores = app.dataframe[0].value
    assert scores["class"].tolist() == list("0123456789") and scores["examples"].sum() == 1000
    assert "Click a cell" in page_text(app)


def test_a_chosen_cell_lists_its_examples_and_opens_them_in_the_browser(mnist_app):
    app = show(mnist_app, "Confusion matrix")
    app.session_state["predict_cell"] = (3, 3)  # What a click on the cell sets (the click itself: test_browser).
    app.run()
    assert any(header.value.startswith("True 3, predicted 3:") for header in app.subheader)
    button(app, "Browse these one by one").click().run()
    assert app.segmented_control(key="predict_view").value == "Test examples"
    assert app.selectbox(key="predict_order").value == "most confident first"
    assert metrics_of(app)["True label"] == "3" and metrics_of(app)["Predicted"] == "3"
    app.session_state["predict_cell"] = None
    for key in ("predict_true", "predict_predicted"):
        app.selectbox(key=key).set_value("any").run()


def test_mistakes_and_the_inside_of_the_model(mnist_app):
    app = show(mnist_app, "Mistakes")
    assert "test examples are wrong" in page_text(app)
    app = show(mnist_app, "Inside the model")
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")]
    assert titles[0].startswith("What the answer"), "the saliency overlay comes first"
    assert "Layer 1 · Dense → 512" in titles and "Layer 2 · Dense → 10" in titles
    assert app.number_input(key="inside_example").label == "Test example (1–1,000)", "counted from 1, as the browser"
    app.number_input(key="inside_example").set_value(6).run()
    label = load_dataset("mnist").class_names[load_dataset("mnist").y_test[5]]
    assert any(f"true **{label}**" in element.value for element in app.markdown), "another example, explained"


def test_a_visitors_drawings_make_a_test_set_of_their_own(mnist_app):
    app = show(mnist_app, "My drawings")
    assert "Your test set is empty" in page_text(app)
    dataset = load_dataset("mnist")
    for index in range(12):  # Real digits standing in for drawings (drawing itself is in test_browser.py).
        DrawnDigits().add(app.query_params["visitor"], np.array(dataset.x_test[index]), int(dataset.y_test[index]))
    app.run()
    assert metrics_of(app)["Accuracy on your drawings"].endswith("%")
    assert app.dataframe[0].value["examples"].sum() == 12
    button(app, "Remove the last drawing").click().run()
    assert app.dataframe[0].value["examples"].sum() == 11
    button(app, "Clear my test set").click().run()
    assert "Your test set is empty" in page_text(app)


def test_the_spiral_shows_its_decision_regions_live_and_after_training():
    app = train_page("spiral-dense10")
    app.number_input(key="train_epochs").set_value(12).run()
    button(app, "Start training").click().run()
    settle(app, "finished, test accuracy")
    titles = [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")]
    assert "Decision regions after epoch 12" in titles, "the Train page's regions, redrawn while it trained"
    visit(app, "predict")
    assert app.segmented_control(key="predict_view").value == "Decision regions"
    regions = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert regions["layout"]["title"]["text"] == "Decision regions after epoch 12"
    assert regions["data"][0]["z"]["shape"] == "80, 80", "an 80×80 grid of answers (Plotly sends it in binary)"


def test_the_alphabet_lstm_answers_for_picked_letters_and_every_window():
    app = train_page("alphabet-lstm32")
    app.number_input(key="train_epochs").set_value(3).run()
    button(app, "Start training").click().run()
    settle(app, "finished, test accuracy")
    visit(app, "predict")
    assert [box.value for box in app.selectbox][:3] == [0, 1, 2], "A B C to start with"
    assert metrics_of(app)["Next letter"] in set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    app.selectbox(key="predict_letter_0").set_value(10).run()
    assert "not a run of the alphabet" in page_text(app)
    show(app, "Every window")
    table = app.dataframe[0].value
    assert len(table) == 23 and table["letters"].iloc[0] == "A B C" and table["next letter"].iloc[0] == "D"
    assert f"gets {int(table['right'].sum())} of the 23 windows right" in page_text(app)
