"""The Learn page in a real browser: a learner's progress outlives a reload, as workshop rooms reload often (the
harness is in `browser_support.py`)."""

import re

from conftest import wait_until


def test_a_lesson_answered_right_still_counts_after_a_reload(dashboard, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{dashboard}/learn?lesson=network")
    page.get_by_role("heading", name="1 · What a neural network is").wait_for(timeout=60_000)
    page.get_by_text("0 of 7 lessons answered right").wait_for()
    page.get_by_test_id("stRadio").get_by_text("no", exact=True).click()
    page.get_by_role("button", name=re.compile(r"Check$")).click()
    page.get_by_text(re.compile(r"^Right!")).wait_for()
    page.get_by_text("1 of 7 lessons answered right").wait_for()
    wait_until(lambda: "visitor=" in page.url, timeout=30)  # The visitor key rides in the address.
    page.reload()
    page.get_by_role("heading", name="1 · What a neural network is").wait_for(timeout=60_000)
    page.get_by_text("1 of 7 lessons answered right").wait_for()
    assert page.get_by_test_id("stException").count() == 0
    page.close()
