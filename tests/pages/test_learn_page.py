"""The Learn page through AppTest: every lesson's interaction and answer checking, progress, "Try it", and the
links that open a lesson in the presenter view."""

import json
import re

import pytest
from page_support import APP, metrics_of, open_app, page_text, visit
from streamlit.testing.v1 import AppTest

from core.learn.lessons import LESSONS, lesson_named


def lesson_page(key: str) -> AppTest:
    app = visit(open_app(), "learn")
    app.selectbox(key="learn_lesson").set_value(key).run()
    assert not app.exception, app.exception
    return app


def answer(app: AppTest, key: str, given: str) -> str:
    """Give an answer, press Check, and return the verdict shown."""
    question = lesson_named(key).question
    if question.kind == "choice":
        app.radio(key=f"learn_answer_{key}").set_value(given).run()
    else:
        app.text_input(key=f"learn_answer_{key}").input(given).run()
    next(button for button in app.button if button.label == "Check").click().run()
    assert not app.exception, app.exception
    return [*app.success, *app.warning][-1].value


def chart_titles(app: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "") for chart in app.get("plotly_chart")]


def test_every_lesson_checks_its_answer_kindly_and_progress_counts_the_right_ones():
    app = visit(open_app(), "learn")
    for done, lesson in enumerate(LESSONS):
        app.selectbox(key="learn_lesson").set_value(lesson.key).run()
        wrong = "-1"
        if lesson.question.kind == "choice":
            wrong = next(choice for choice in lesson.question.choices if choice != lesson.question.answer)
        assert answer(app, lesson.key, wrong).startswith("Not quite"), lesson.key
        right = lesson.question.answer if lesson.question.kind == "choice" else f"{lesson.question.answer:g}"
        assert answer(app, lesson.key, str(right)).startswith("Right"), lesson.key
        assert app.get("progress")[0].proto.text == f"{done + 1} of {len(LESSONS)} lessons answered right"


def test_progress_is_kept_with_the_visitor_key_across_a_reload():
    first = lesson_page("network")
    assert answer(first, "network", "no").startswith("Right")
    visitor = first.query_params["visitor"]
    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params["visitor"] = visitor
    visit(reloaded.run(), "learn")
    assert reloaded.get("progress")[0].proto.text == f"1 of {len(LESSONS)} lessons answered right"
    stranger = visit(open_app(), "learn")
    assert stranger.get("progress")[0].proto.text == f"0 of {len(LESSONS)} lessons answered right"


def test_the_convolution_question_cannot_be_read_off_the_page_at_the_default_sliders():
    app = lesson_page("convolution")
    answer_text = f"{lesson_named('convolution').question.answer:g}"
    shown = re.findall(r"\*\*(\d+)\*\*", page_text(app))
    assert shown and answer_text not in shown, f"the worked size {shown} is the question's answer"
    app.slider(key="learn_stride").set_value(2).run()
    app.slider(key="learn_padding").set_value(1).run()
    assert f"= **{answer_text}**" in page_text(app), "the sliders set to the question's settings check the answer"


def test_a_number_question_asks_for_a_number():
    app = lesson_page("activations")
    assert "Type a number" in answer(app, "activations", "eleven")


def test_the_activation_slider_shows_each_function():
    app = lesson_page("activations")
    app.slider(key="learn_activation_input").set_value(11.0).run()
    values = metrics_of(app)
    assert values["relu(11)"] == "11.000" and values["tanh(11)"] == "1.000" and values["sigmoid(11)"] == "1.000"
    app.slider(key="learn_activation_input").set_value(-3.0).run()
    assert metrics_of(app)["relu(-3)"] == "0.000"


@pytest.mark.parametrize("rate, words", [(1.1, "diverged"), (0.01, "crawling"), (0.3, "converged")])
def test_the_learning_rate_decides_how_the_ball_descends(rate, words):
    app = lesson_page("gradient-descent")
    app.slider(key="learn_rate").set_value(rate).run()
    assert words in app.info[-1].value


def test_backpropagation_shows_every_number_and_convolution_works_out_its_size():
    app = lesson_page("backpropagation")
    steps = app.dataframe[0].value
    assert len(steps) >= 8 and steps["value"].notna().all()
    app = lesson_page("convolution")
    app.slider(key="learn_stride").set_value(2).run()
    app.slider(key="learn_padding").set_value(1).run()
    assert "= **14**" in page_text(app), "⌊(28 + 2 − 3) / 2⌋ + 1"
    app.checkbox(key="learn_pool").check().run()
    assert "pooled to **7**" in page_text(app)


def test_the_unrolled_rnn_reads_each_word_and_the_image_path_ends_in_one_hot():
    app = lesson_page("recurrent")
    app.text_input(key="learn_sentence").input("a wonderful little film").run()
    heatmap = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heatmap["x"] == ["1 · a", "2 · wonderful", "3 · little", "4 · film"]
    app = lesson_page("own-images")
    assert len(app.get("image")) >= 3 and "`[0, 1]`" in page_text(app)


def test_try_it_opens_build_with_the_lessons_preset():
    app = lesson_page("convolution")
    next(button for button in app.button if button.label.startswith("Try it")).click().run()
    assert not app.exception
    assert app.selectbox(key="preset").value == "mnist-cnn-2conv", "the Build page, with the lesson's preset"


def test_a_link_opens_a_lesson_in_the_presenter_view():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params.update({"lesson": "convolution", "presenter": "1", "theme": "dark"})
    visit(app.run(), "learn")
    assert app.selectbox(key="learn_lesson").value == "convolution"
    styles = "\n".join(element.proto.body for element in app.get("html"))
    assert "font-size: 21px" in styles, "larger type"
    assert 'searchParams.append("embed_options", "dark_theme")' in styles, "Streamlit's own dark theme, asked for"
