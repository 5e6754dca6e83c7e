"""The workshop room in Chromium: how fast the board and the learners' pages follow, and what a room costs the server.

An instructor opens a room and N learners join it by its link, each in a browser context of their own, then:
- **cost:** the server process's CPU, in cores, over --idle seconds with no page open, with the instructor's board alone, and
  with the board and the N learners' pages idle on Home (each learner's page looks where the room was sent every
  1 s: `dashboard/views/room_follow.py`; the board redraws every 2 s: `dashboard/views/room_board.py`);
- **board latency:** every learner starts the default run (1 epoch) at once; for each, the seconds from their own page
  first showing "finished, test accuracy" to the instructor's board (never reloaded) first showing their accuracy;
- **following latency:** the instructor sends everyone to a lesson; for each learner, the seconds from the click to
  their page being on Learn with the banner.
The issue's goal for both latencies is 5 s. Pages are polled every 0.1 s from this one process (so a figure may be
up to about 0.1 s × N late). It starts its own server of the checkout at --app-root with the README's command.

    python benchmarks/room_board.py [--learners 8] [--idle 20] [--app-root PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_server import cpu_seconds, free_port, start_server, stop_server, wait_until_healthy  # noqa: E402,I001

REPOSITORY = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KERAS_LAB_CHROMIUM", "/usr/bin/chromium")
POLL_SECONDS = 0.1
FINISHED = re.compile(r"^finished, test accuracy")
ROOM_LINE = re.compile(r"^Room · [A-Z0-9]{6}, you are")


def server_cores(pid: int, seconds: float) -> float:
    """The server process's CPU over `seconds`, in cores: what pages cost (its training workers are left out, the
    first of which imports Keras as the first page opens)."""
    before, started = cpu_seconds(pid) or 0.0, time.perf_counter()
    time.sleep(seconds)
    return ((cpu_seconds(pid) or 0.0) - before) / (time.perf_counter() - started)


def board_text(page) -> str:
    table = page.get_by_test_id("stTable")
    return table.first.inner_text() if table.count() else ""


def open_room(browser, url: str):
    instructor = browser.new_context(viewport={"width": 1400, "height": 1300}).new_page()
    instructor.goto(f"{url}/room")
    instructor.get_by_label("Your name, as learners see it").fill("Grace")
    instructor.get_by_role("button", name="Open a room").click()
    link = instructor.get_by_test_id("stCode").first
    link.wait_for(timeout=60_000)
    return instructor, link.inner_text().strip()


def join(browser, link: str, name: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(link)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the room").click()
    page.get_by_text(ROOM_LINE).wait_for(timeout=60_000)
    return page


def first_times(checks: dict[object, Callable[[], object]], timeout: float) -> dict[object, float]:
    """The moment each check first held, polling all of them in turn until every one did."""
    seen: dict[str, float] = {}
    deadline = time.perf_counter() + timeout
    while len(seen) < len(checks) and time.perf_counter() < deadline:
        for name, check in checks.items():
            if name not in seen and check():
                seen[name] = time.perf_counter()
        time.sleep(POLL_SECONDS)
    missing = [name for name in checks if name not in seen]
    if missing:
        raise RuntimeError(f"still waiting after {timeout:.0f} s for: {missing}")
    return seen


def describe(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.1f} s, worst {max(seconds):.1f} s ({len(seconds)} learners)"


def measure(browser, url: str, pid: int, learners: int, idle: float) -> None:
    print(f"server alone: {server_cores(pid, idle):.1%} of a core", flush=True)
    instructor, link = open_room(browser, url)
    print(f"with the instructor's board: {server_cores(pid, idle):.1%} of a core", flush=True)
    names = [f"Learner {number}" for number in range(1, learners + 1)]
    pages = dict(zip(names, (join(browser, link, name) for name in names)))
    with_room = server_cores(pid, idle)
    print(f"with the board and {learners} learners idle on Home: {with_room:.1%} of a core", flush=True)

    for page in pages.values():
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
        page.get_by_role("button", name="Start training").wait_for(timeout=120_000)
        field = page.get_by_role("spinbutton", name="Epochs", exact=True)
        field.fill("1")
        field.press("Enter")
    for page in pages.values():
        page.get_by_role("button", name="Start training").click()
    # Both watched in one loop: a learner's page finishing, and the board showing that learner's accuracy.
    seen = first_times({**{("finished", name): (lambda page=page: page.get_by_text(FINISHED).count() > 0)
                           for name, page in pages.items()},
                        **{("board", name): (lambda name=name: re.search(rf"{name}\s+\d+\.\d%", board_text(instructor)))
                           for name in names}}, timeout=600)
    print("finished run on the board: " + describe([seen["board", name] - seen["finished", name] for name in names]),
          flush=True)

    instructor.get_by_role("combobox", name="Send everyone to").click()
    instructor.get_by_role("option", name=re.compile(r'^Learn, lesson "Convolution')).click()
    instructor.get_by_role("button", name="Send everyone").click()
    sent = time.perf_counter()
    banner = re.compile(r"^Grace sent everyone to Learn")
    # The address as the page has it (Playwright's page.url misses Streamlit's own history changes).
    followed = first_times({name: (lambda page=page: "/learn" in page.evaluate("location.pathname")
                                   and page.get_by_text(banner).count() > 0)
                            for name, page in pages.items()}, timeout=60)
    print("pages followed to the lesson: " + describe([followed[name] - sent for name in names]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds each CPU figure is measured over")
    parser.add_argument("--app-root", type=Path, default=REPOSITORY)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        home, port = Path(folder), free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(arguments.app_root.resolve(), home, port, home / "server.log")
        try:
            wait_until_healthy(url, server, home / "server.log")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                measure(browser, url, server.pid, arguments.learners, arguments.idle)
                browser.close()
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
