"""Build in Chromium: a size the browser's number box would once have clamped without a word is refused with why."""

import re

from browser_support import layer_labels


def test_minus_five_units_is_refused_with_the_reason(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{dashboard}/build")
    page.get_by_text("Ready to train: 2 layers, 407,050 parameters.").wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"^1 · Dense 512 relu")).first.click()
    units = page.get_by_role("spinbutton", name="Units").first
    units.fill("-5")
    units.press("Enter")
    page.get_by_text("That change was not made: Layer 1 (Dense): units is -5; it must be at least 1",
                     exact=False).wait_for(timeout=30_000)
    assert layer_labels(page)[0].startswith("1 · Dense 512 relu"), "the model keeps its 512 units"
    assert page.get_by_test_id("stException").count() == 0
    page.close()
