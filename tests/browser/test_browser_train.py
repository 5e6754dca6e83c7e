"""The Train page in a real browser, at a laptop's width: the sweep's settings fit their boxes, and a learning
rate far too high ends in an explanation, a readable loss axis and a retry (the harness is in
`browser_support.py`)."""

import re

from browser_support import choose, set_epochs
from conftest import wait_until

OVERFLOWS = "input => input.scrollWidth > input.clientWidth"
EIGHT_RATES = "0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001, 0.00003"
LOSS_AXIS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    return plot && plot.layout && plot.layout.yaxis ? [plot.layout.yaxis.type, plot.layout.yaxis.ticktext] : null;
}"""


def train_page_with(browser, dashboard: str, preset: str, expander: str, width: int, height: int):
    """A new visitor's Train page for `preset`, at a laptop's size, with the expander `expander` opened."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{dashboard}/train?preset={preset}")
    page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
    page.get_by_text(expander).click()
    return page


def test_the_sweep_settings_fit_their_boxes_on_a_laptop(dashboard, browser):
    page = train_page_with(browser, dashboard, "spiral-dense10", "Hyperparameter sweep", width=1024, height=800)
    choose(page, "Vary", "learning rate")
    values = page.get_by_role("textbox", name="Values").first
    values.fill(EIGHT_RATES)
    assert not page.get_by_role("combobox", name="Vary").evaluate(OVERFLOWS), "the setting's name is cut short"
    assert not values.evaluate(OVERFLOWS), "the eight values a sweep allows do not fit the box"
    page.close()


def test_a_learning_rate_of_1000_explains_itself_on_a_log_axis_and_offers_a_retry(dashboard, browser):
    # A CNN trains on TensorFlow, whose cross-entropy explodes (to millions) where JAX's saturates near 16.
    page = train_page_with(browser, dashboard, "mnist-cnn-2conv", "Optimizer for a quick retry", width=1280, height=900)
    choose(page, "Optimizer", "sgd")
    rate = page.get_by_role("spinbutton", name="Learning rate")
    rate.fill("1000")
    rate.press("Enter")
    page.get_by_test_id("stSidebar").get_by_text(re.compile(r", edited")).wait_for()  # The spec took the change.
    set_epochs(page, 3)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(re.compile(r"training diverged\. The learning rate \(1000\) is too high for SGD")).first.wait_for(
        timeout=180_000)
    page.get_by_role("button", name="Retry with learning rate 100").wait_for()
    wait_until(lambda: page.evaluate(LOSS_AXIS) is not None, timeout=30)  # Streamlit's chart, once the run settled.
    axis_type, ticks = page.evaluate(LOSS_AXIS)
    assert axis_type == "log" and "1 million" in ticks
    assert page.get_by_test_id("stException").count() == 0
    page.close()
