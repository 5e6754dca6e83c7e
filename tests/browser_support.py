"""What every browser test shares: Debian's headless Chromium, a real `streamlit run` on a free port, and the
few moves a learner makes on most pages (pick an option, choose a preset, set the epochs, train one epoch).

Without Chromium the tests skip on a developer's machine; with KERAS_LAB_REQUIRE_BROWSER=1 (set by CI) a
missing browser fails instead.
"""

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import REPOSITORY, wait_until
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM = Path(os.environ.get("KERAS_LAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def browser():
    problem = None if CHROMIUM.exists() else f"no Chromium at {CHROMIUM}: apt-get install chromium chromium-driver"
    if problem and os.environ.get("KERAS_LAB_REQUIRE_BROWSER") == "1":
        pytest.fail(problem)
    if problem:
        pytest.skip(problem)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """`streamlit run dashboard/app.py` on a free localhost port; yields its URL."""
    port, log = free_port(), tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    with open(log, "w") as output:
        server = subprocess.Popen(command, cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: healthy(url) or server.poll() is not None, timeout=60, every=0.2)
        assert server.poll() is None, log.read_text()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def start_server(port: int, home: Path, log: Path, environment: dict[str, str] | None = None) -> subprocess.Popen:
    """`streamlit run` in a process group of its own, as a deployment runs it: killing the group kills its workers.
    `environment`: variables set for it on top of this process's (KERAS_LAB_EXECUTOR, say)."""
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    with open(log, "a") as output:
        server = subprocess.Popen(command, cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT,
                                  env={**os.environ, "KERAS_LAB_HOME": str(home), **(environment or {})},
                                  start_new_session=True)
    wait_until(lambda: healthy(f"http://127.0.0.1:{port}") or server.poll() is not None, timeout=60, every=0.2)
    assert server.poll() is None, log.read_text()
    return server


LIVE_FRAME = 'iframe[title*="live_run"]'


def live_view(page):
    """The Train page's live frame: a run's progress line, curves and speed while it trains (`dashboard.live_frames`)."""
    return page.frame_locator(LIVE_FRAME)


def sidebar_link(page, name: str):
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)


def choose(page, label: str, option) -> None:
    """Pick an option of the selectbox called `label` (`option`: its text, or a pattern).

    Just after a rerun or an expander opening, a click may only focus the box, so it clicks until options show."""
    box = page.get_by_role("combobox", name=label)
    wait_until(lambda: box.click() or _options_show(page), timeout=30, every=0.2)
    page.get_by_role("option", name=option, exact=isinstance(option, str)).click()


def _options_show(page) -> bool:
    try:
        page.get_by_role("option").first.wait_for(timeout=2_000)
    except PlaywrightTimeout:
        return False
    return True


def choose_preset(page, name: str) -> None:
    choose(page, "Start from a classic example", re.compile(rf"\({name}\)"))


def add_layer(page, layer_type: str, position: int) -> None:
    choose(page, "Add a layer", layer_type)
    where = page.get_by_role("spinbutton", name="at position")
    where.fill(str(position))
    where.press("Enter")
    wait_until(lambda: where.input_value() == str(position), timeout=10)
    page.get_by_role("button", name="Add layer").click()
    page.get_by_text(re.compile(rf"^{position} · {layer_type}")).first.wait_for()


def layer_labels(page) -> list[str]:
    """The Build page's layer expanders, as '1 · Conv2D 32 3×3 relu → (None, 26, 26, 32)' (icon names left out)."""
    labels = [text.strip().splitlines()[-1] for text in page.get_by_test_id("stExpander").locator("summary").all_inner_texts()]
    return [label for label in labels if re.match(r"\d+ · ", label)]


def set_epochs(page, epochs: int) -> None:
    """Type the number of epochs on the Train page and wait until the page has taken it."""
    field = page.get_by_role("spinbutton", name="Epochs", exact=True)
    field.fill(str(epochs))
    field.press("Enter")
    wait_until(lambda: field.input_value() == str(epochs), timeout=10)


def start_training_at(page, address: str, epochs: int) -> None:
    """Open the Train page at `address`, wait for it to be ready, and start a run of `epochs` epochs."""
    page.goto(address)
    page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
    set_epochs(page, epochs)
    page.get_by_role("button", name="Start training").click()


def train_for_one_epoch(page) -> None:
    """On the Train page: one epoch, start, and wait for the run to finish without an exception on the page."""
    set_epochs(page, 1)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(re.compile(r"^finished, test accuracy")).first.wait_for(timeout=180_000)
    assert page.get_by_test_id("stException").count() == 0


def page_after_one_epoch(browser, dashboard: str, then: str):
    """A new visitor's page that has trained the default model for one epoch, then moved to the page `then`."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{dashboard}/train")
    page.get_by_role("heading", name="Train").wait_for(timeout=60_000)
    train_for_one_epoch(page)
    sidebar_link(page, then).click()
    return page
