"""Runs in Chromium: a renamed run goes by its new name in the run picker, without a reload."""

from browser_support import page_after_one_epoch
from conftest import wait_until


def test_a_renamed_run_is_named_so_in_the_picker(dashboard, browser):
    page = page_after_one_epoch(browser, dashboard, "Runs")
    page.get_by_role("heading", name="One run").wait_for(timeout=60_000)
    name = page.get_by_role("textbox", name="Name")
    name.fill("my first MLP")
    name.press("Enter")
    page.get_by_role("button", name="Rename").click()
    picker = page.get_by_test_id("stSelectbox").get_by_role("combobox", name="Run")
    wait_until(lambda: picker.input_value() == "my first MLP", timeout=30)
    assert page.get_by_test_id("stException").count() == 0
    page.close()
