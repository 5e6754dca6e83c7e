"""The dark presenter view in Chromium, as a projector shows it: Streamlit's own dark theme on every page, buttons
that read, charts and diagrams on the dark page rather than on white panels, an empty progress track that looks
empty."""

import re

from browser_support import train_for_one_epoch
from conftest import wait_until
from playwright.sync_api import Error as PlaywrightError

COLOURS = """(selector) => [...document.querySelectorAll(selector)].map(element => {
    const style = getComputedStyle(element);
    return [style.color, style.backgroundColor];
})"""
PLOT_BACKGROUNDS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot =>
    [plot._fullLayout.paper_bgcolor, plot._fullLayout.plot_bgcolor, plot._fullLayout.font.color])"""
APP_BACKGROUND = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && getComputedStyle(app).backgroundColor;
}"""
DIAGRAM_BACKGROUNDS = """() => {
    const chart = document.querySelector('[data-testid="stGraphVizChart"]');
    if (!chart || !chart.querySelector('svg')) return null;
    const fills = [...chart.querySelectorAll('svg g.graph > polygon')].map(polygon => polygon.getAttribute('fill'));
    return [getComputedStyle(chart).backgroundColor, ...fills];
}"""


def rgb(colour: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)', 'rgba(1, 2, 3, 0.5)' or '#010203' as red, green, blue (0-255) and opacity."""
    if colour.startswith("#"):
        return (*(int(colour[index:index + 2], 16) for index in (1, 3, 5)), 1.0)
    values = [float(value) for value in re.findall(r"[\d.]+", colour)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def luminance(colour: str) -> float:
    """WCAG's relative luminance, 0 for black to 1 for white."""
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue, _ = rgb(colour)
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def is_dark(page) -> bool:
    """Whether the app shows on a dark background; not yet while the page is loading again."""
    try:
        return luminance(page.evaluate(APP_BACKGROUND) or "rgb(255, 255, 255)") < 0.05
    except PlaywrightError:  # The page was loading itself again with the dark theme.
        return False


def open_dark(page, address: str) -> None:
    """Open a presenter link with `&theme=dark` and wait for Streamlit's dark theme (one reload may come first)."""
    page.goto(address)
    wait_until(lambda: is_dark(page), timeout=60)
    page.wait_for_load_state()


def not_a_white_panel(colour: str) -> bool:
    return rgb(colour)[3] == 0 or colour in ("transparent", "none") or luminance(colour) < 0.2


def test_the_dark_presenter_view_reads_on_a_projector(dashboard, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loads = []
    page.on("load", lambda: loads.append(page.url))
    open_dark(page, f"{dashboard}/learn?lesson=convolution&presenter=1&theme=dark")
    page.get_by_role("heading", name="5 · Convolution and pooling").wait_for(timeout=60_000)
    page.wait_for_timeout(3000)
    assert len(loads) <= 2, f"the page loads again once for the dark theme, never in a loop: {loads}"
    for name in (re.compile(r"Check$"), re.compile(r"Next: ")):
        button = page.get_by_role("button", name=name).first
        button.wait_for()
        colour, background = button.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
        assert contrast(colour, background) >= 4.5, f"{name.pattern}: {colour} on {background}"
        assert luminance(background) < 0.2, f"a dark button, not a white one: {background}"
    track = page.get_by_test_id("stProgress").locator("[role=progressbar] > div").first
    track.wait_for()
    assert luminance(track.evaluate("t => getComputedStyle(t).backgroundColor")) < 0.2, "an empty track looks empty"
    wait_until(lambda: len(page.evaluate(PLOT_BACKGROUNDS)) >= 2, timeout=30)  # The digit and its feature map.
    for paper, plot, font in page.evaluate(PLOT_BACKGROUNDS):
        assert not_a_white_panel(paper) and not_a_white_panel(plot), (paper, plot)
        assert luminance(font) > 0.5, f"light text on the dark page: {font}"

    open_dark(page, f"{dashboard}/build?preset=mnist-cnn-2conv&presenter=1&theme=dark")
    page.get_by_role("heading", name="Build").wait_for(timeout=60_000)
    wait_until(lambda: page.evaluate(DIAGRAM_BACKGROUNDS), timeout=30)
    backgrounds = page.evaluate(DIAGRAM_BACKGROUNDS)
    assert all(not_a_white_panel(colour) for colour in backgrounds), f"the diagram on a white panel: {backgrounds}"

    open_dark(page, f"{dashboard}/train?presenter=1&theme=dark")
    page.get_by_role("heading", name="Train").wait_for(timeout=60_000)
    start = page.get_by_role("button", name="Start training")
    colour, background = start.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert contrast(colour, background) >= 3, f"Start training: {colour} on {background}"
    assert page.get_by_test_id("stException").count() == 0
    page.close()


LEGENDS_AND_AXIS_TITLES = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(plot => plot.querySelector('g.legend') && plot.querySelector('.xtitle'))
    .map(plot => [plot.querySelector('g.legend').getBoundingClientRect().top,
                  plot.querySelector('.xtitle').getBoundingClientRect().bottom])"""


def test_in_the_presenter_view_a_curves_legend_stays_clear_of_its_axis_title(dashboard, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    open_dark(page, f"{dashboard}/train?preset=spiral-dense10&presenter=1&theme=dark")
    page.get_by_role("button", name="Start training").wait_for(timeout=60_000)
    train_for_one_epoch(page)
    wait_until(lambda: len(page.evaluate(LEGENDS_AND_AXIS_TITLES)) >= 2, timeout=30)  # Loss and accuracy.
    for legend_top, title_bottom in page.evaluate(LEGENDS_AND_AXIS_TITLES):
        assert legend_top >= title_bottom, f"the legend (top at {legend_top}) covers the axis title ({title_bottom})"
    page.close()
