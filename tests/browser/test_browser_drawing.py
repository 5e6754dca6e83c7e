"""Draw a 7 in two strokes in Chromium: the label offered for saving follows the model's latest answer, so the
drawing is saved as what it is, and a label the learner picks stays picked."""

import re

from browser_support import choose, page_after_one_epoch
from conftest import wait_until

TOP_BAR, DOWN_STROKE, DOT = ((0.3, 0.25), (0.7, 0.25)), ((0.7, 0.25), (0.45, 0.8)), ((0.2, 0.9), (0.22, 0.92))


def stroke(page, canvas, start: tuple[float, float], end: tuple[float, float]) -> None:
    """One stroke of the mouse across the canvas, from `start` to `end` (fractions of its width and height)."""
    box = canvas.bounding_box()
    point = lambda fraction: (box["x"] + box["width"] * (start[0] + (end[0] - start[0]) * fraction),  # noqa: E731
                              box["y"] + box["height"] * (start[1] + (end[1] - start[1]) * fraction))
    page.mouse.move(*point(0))
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(*point(step / 20))
    page.mouse.up()


def test_the_saved_label_follows_the_latest_answer_until_the_learner_picks_one(dashboard, browser):
    page = page_after_one_epoch(browser, dashboard, "Predict")
    page.get_by_text("Draw a digit", exact=True).first.click()
    page.get_by_text("Draw a digit on the black square").wait_for()
    canvas = page.locator("canvas").last  # The drawable canvas's top layer, which takes the mouse.
    answer = page.get_by_test_id("stMetric").filter(has_text="The model says").get_by_test_id("stMetricValue")
    label = page.get_by_role("combobox", name="It is really a")

    answers = []
    for start, end in (TOP_BAR, DOWN_STROKE):
        before = answer.inner_text() if answer.count() else None
        stroke(page, canvas, start, end)
        answer.wait_for(timeout=30_000)
        wait_until(lambda: answer.inner_text() != before or len(answers) == 1, timeout=30)
        page.wait_for_timeout(1000)  # Let the page settle after the stroke's answer.
        answers.append(answer.inner_text())
        wait_until(lambda: label.input_value() == answer.inner_text(), timeout=30)
    assert answers[0] != answers[1], f"the two strokes should read differently ({answers}) for this to test anything"
    page.get_by_role("button", name="Save to my test set").click()
    page.get_by_text(f"Saved as a {answers[1]}: your test set holds 1 drawing.", exact=False).wait_for()

    picked = next(name for name in "0123456789" if name not in answers)
    choose(page, "It is really a", picked)
    stroke(page, canvas, *DOT)  # Another stroke: the learner's own choice stays.
    page.wait_for_timeout(3000)
    assert label.input_value() == picked
    page.get_by_role("button", name="Save to my test set").click()
    page.get_by_text(re.compile(rf"Saved as a {picked}: your test set holds 2 drawings")).wait_for()
    assert page.get_by_test_id("stException").count() == 0
    page.close()
